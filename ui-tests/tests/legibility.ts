/**
 * Checks of what a learner can read and reach, run inside the page: the contrast of every
 * visible text element against the background it is drawn on (WCAG 2.1 AA), and whether an
 * element is in view inside its scrolling container; and the switch of theme after which a
 * test reads the same page again.
 */
import { IJupyterLabPageFixture } from '@jupyterlab/galata';
import { expect, Locator } from '@playwright/test';

export interface IContrast {
  /** How many text elements were measured. */
  checked: number;
  /** Those under WCAG AA (4.5:1; 3:1 for large text), one line each: how much, what, where. */
  failures: string[];
}

/** The contrast of each text element in the elements `roots` finds, against the colour it
 * is drawn on. Disabled controls are exempt (WCAG 1.4.3), as is text over a picture (no
 * single background colour to measure against). */
export async function contrast(roots: Locator): Promise<IContrast> {
  return roots.evaluateAll(roots => {
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 1;
    const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
    // Any CSS colour (rgb, color(srgb ...), color-mix results) as [r, g, b, alpha] via the canvas.
    const rgba = (css: string): number[] => {
      ctx.clearRect(0, 0, 1, 1);
      ctx.fillStyle = 'rgba(0, 0, 0, 0)';
      ctx.fillStyle = css;
      ctx.fillRect(0, 0, 1, 1);
      const d = ctx.getImageData(0, 0, 1, 1).data;
      return [d[0], d[1], d[2], d[3] / 255];
    };
    const over = (top: number[], bottom: number[]): number[] => {
      const a = top[3] + bottom[3] * (1 - top[3]);
      const mix = [0, 1, 2].map(i => (top[i] * top[3] + bottom[i] * bottom[3] * (1 - top[3])) / (a || 1));
      return [...mix, a];
    };
    const luminance = (c: number[]) => {
      const [r, g, b] = c.slice(0, 3).map(v => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    /** The opaque colour behind an element, or null when a picture is behind it. */
    const backdrop = (element: Element): number[] | null => {
      const layers: number[][] = [];
      for (let e: Element | null = element; e; e = e.parentElement) {
        const style = getComputedStyle(e);
        if (style.backgroundImage !== 'none' || e.tagName === 'IMG') {
          return null;
        }
        const colour = rgba(style.backgroundColor);
        if (colour[3] > 0) {
          layers.push(colour);
        }
        if (colour[3] >= 1) {
          break;
        }
      }
      return layers.reduceRight((below, layer) => over(layer, below), [255, 255, 255, 1]);
    };
    const disabled = (e: Element) => e.closest(':disabled, [disabled], .mod-disabled, [aria-disabled="true"]') !== null;
    const opacity = (e: Element) => {
      let product = 1;
      for (let p: Element | null = e; p; p = p.parentElement) {
        product *= Number(getComputedStyle(p).opacity);
      }
      return product;
    };

    const failures: string[] = [];
    let checked = 0;
    for (const root of roots) {
      for (const element of [root, ...Array.from(root.querySelectorAll('*'))]) {
        const text = Array.from(element.childNodes)
          .filter(n => n.nodeType === Node.TEXT_NODE)
          .map(n => n.textContent ?? '')
          .join('')
          .trim();
        const style = getComputedStyle(element);
        if (!text || element.getClientRects().length === 0 || style.visibility !== 'visible' || disabled(element)) {
          continue;
        }
        if (['STYLE', 'SCRIPT', 'TITLE', 'title'].includes(element.tagName)) {
          continue;
        }
        const svg = element instanceof SVGElement;
        const ink = rgba(svg ? style.fill : style.color);
        ink[3] *= (svg ? Number(style.fillOpacity) : 1) * opacity(element);
        const behind = backdrop(element);
        if (!behind || ink[3] === 0) {
          continue;
        }
        checked++;
        const seen = over(ink, behind);
        const [light, dark] = [luminance(seen), luminance(behind)].sort((a, b) => b - a);
        const ratio = (light + 0.05) / (dark + 0.05);
        const size = parseFloat(style.fontSize);
        const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
        if (ratio < (large ? 3 : 4.5)) {
          const name = `${element.tagName.toLowerCase()}${element.classList.length ? '.' + Array.from(element.classList).join('.') : ''}`;
          failures.push(
            `${ratio.toFixed(2)}:1 "${text.slice(0, 50)}" (${name}; text rgb(${seen.slice(0, 3).map(Math.round)}) on rgb(${behind.slice(0, 3).map(Math.round)}))`
          );
        }
      }
    }
    return { checked, failures };
  });
}

/** The contrast failures in these elements, once there is text to measure (polled: a live
 * frame replaces its HTML each time it is drawn, and a replaced one has nothing to measure). */
export async function lowContrast(what: Locator): Promise<string[]> {
  let failures: string[] = [];
  await expect
    .poll(
      async () => {
        const measured = await contrast(what);
        failures = measured.failures;
        return measured.checked;
      },
      { message: 'text elements measured' }
    )
    .toBeGreaterThan(0);
  return failures;
}

/** Whether the whole of the element is visible: inside the window and inside every
 * scrolling container around it (JupyterLab's notebook scrolls inside its panel). */
export async function inView(locator: Locator): Promise<boolean> {
  return locator.evaluate(element => {
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) {
      return false;
    }
    let top = 0;
    let bottom = window.innerHeight;
    let left = 0;
    let right = window.innerWidth;
    for (let e = element.parentElement; e; e = e.parentElement) {
      const style = getComputedStyle(e);
      const clip = e.getBoundingClientRect();
      // Scrolling containers only (a zero-size box with overflow hidden clips nothing positioned).
      if (/(auto|scroll)/.test(style.overflowY + style.overflowX) && clip.height > 0 && clip.width > 0) {
        top = Math.max(top, clip.top);
        bottom = Math.min(bottom, clip.bottom);
        left = Math.max(left, clip.left);
        right = Math.min(right, clip.right);
      }
    }
    return box.top >= top - 1 && box.bottom <= bottom + 1 && box.left >= left - 1 && box.right <= right + 1;
  });
}

/** Switch a page that already shows its outputs to the theme ('light' or 'dark'), and check
 * that it took: a test then reads the same run in both themes (nothing on the page depends on
 * the theme it was made in; only JupyterLab's CSS variables change). */
export async function toTheme(page: IJupyterLabPageFixture, theme: string): Promise<void> {
  await (theme === 'dark' ? page.theme.setDarkTheme() : page.theme.setLightTheme());
  await expect(page.locator('body')).toHaveAttribute('data-jp-theme-light', String(theme === 'light'));
}
