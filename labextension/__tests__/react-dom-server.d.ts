// react-dom comes with JupyterLab; its types are not installed. The tests use one function.
declare module 'react-dom/server' {
  import type { ReactElement } from 'react';
  export function renderToStaticMarkup(element: ReactElement): string;
}
