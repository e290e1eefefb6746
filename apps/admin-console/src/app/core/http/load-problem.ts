import { computed, type Signal } from '@angular/core';
import { apiProblemOf, describeProblem } from './api-error';

/** The part of a resource (httpResource, resource) a page reads to say why loading failed. */
export interface Loadable {
  error: Signal<unknown>;
  isLoading: Signal<boolean>;
  reload(): unknown;
}

/** The sentence explaining why `resource` did not load, or null while it has not failed. */
export function loadProblem(resource: Pick<Loadable, 'error'>): Signal<string | null> {
  return computed(() => {
    const error = resource.error();
    return error ? describeProblem(apiProblemOf(error)) : null;
  });
}
