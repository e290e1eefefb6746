import { DOCUMENT, Injector, afterNextRender, effect, inject, type Resource } from '@angular/core';

/** Where focus goes after a confirmed action that reloads a list. */
export interface FocusReturn {
  /** The element that has focus now: call it before opening the dialog (the button that opened it). */
  trigger(): HTMLElement | null;
  /** Resolves once `resource` has finished loading. */
  loaded(resource: Resource<unknown>): Promise<void>;
  /**
   * After the next render, focuses `trigger` if it is still on the page and enabled, else `fallback()` (a heading
   * with `tabindex="-1"`). Material gives focus back to the button when its dialog closes, but the action that
   * follows can remove the button with its row, or disable it (nothing left to act on), and focus would drop to
   * the top of the page.
   */
  restore(trigger: HTMLElement | null, fallback: () => HTMLElement | undefined): void;
}

/** Returns a {@link FocusReturn}; call it in an injection context (a field initializer). */
export function injectFocusReturn(): FocusReturn {
  const injector = inject(Injector);
  const document = inject(DOCUMENT);
  return {
    trigger: () => (document.activeElement instanceof HTMLElement && document.activeElement !== document.body ? document.activeElement : null),
    loaded: (resource) =>
      new Promise((resolve) => {
        const watcher = effect(
          () => {
            if (resource.isLoading()) return;
            watcher.destroy();
            resolve();
          },
          { injector },
        );
      }),
    restore: (trigger, fallback) =>
      afterNextRender(
        {
          write: () => {
            const target = trigger && canTakeFocus(trigger) ? trigger : fallback();
            target?.focus();
          },
        },
        { injector },
      ),
  };
}

function canTakeFocus(element: HTMLElement): boolean {
  return element.isConnected && !element.matches(':disabled') && element.getAttribute('aria-disabled') !== 'true';
}
