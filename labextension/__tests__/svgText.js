// An imported .svg is its text, as JupyterLab's webpack loader makes it (jest.config.js).
module.exports = {
  process: source => ({ code: `module.exports = ${JSON.stringify(source)};` })
};
