import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from './api';

export interface Loaded<T> {
  readonly data: T | undefined;
  readonly error: ApiError | undefined;
  readonly loading: boolean;
  reload: () => Promise<void>;
}

/** Loads `load()` now and whenever `deps` change; `reload` fetches again (after a change). */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<ApiError>();
  const [loading, setLoading] = useState(true);
  const current = useRef(load);
  current.current = load;
  const reload = useCallback(async () => {
    setLoading(true);
    try {
      setData(await current.current());
      setError(undefined);
    } catch (caught) {
      setError(toApiError(caught));
    } finally {
      setLoading(false);
    }
  }, []);
  useEffect(() => {
    void reload();
  }, deps);
  return { data, error, loading, reload };
}

/** Calls `tick` every `ms` while `active`, and once at once; stops when the page goes away. */
export function usePolling(tick: () => Promise<void>, ms: number, active: boolean): void {
  const current = useRef(tick);
  current.current = tick;
  useEffect(() => {
    if (!active) return;
    let stopped = false;
    let timer: number | undefined;
    const run = async () => {
      await current.current().catch(() => undefined);
      if (!stopped) timer = window.setTimeout(() => void run(), ms);
    };
    void run();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  }, [ms, active]);
}

/** Runs an action, keeping its pending state and error for the form that started it. */
export function useAction<A extends unknown[], R>(
  action: (...args: A) => Promise<R>,
): { run: (...args: A) => Promise<R | undefined>; pending: boolean; error: ApiError | undefined; clear: () => void } {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<ApiError>();
  const current = useRef(action);
  current.current = action;
  const run = useCallback(async (...args: A) => {
    setPending(true);
    setError(undefined);
    try {
      return await current.current(...args);
    } catch (caught) {
      setError(toApiError(caught));
      return undefined;
    } finally {
      setPending(false);
    }
  }, []);
  return { run, pending, error, clear: () => setError(undefined) };
}

export function toApiError(caught: unknown): ApiError {
  if (caught instanceof ApiError) return caught;
  return new ApiError(0, 'unexpected', caught instanceof Error ? caught.message : String(caught));
}
