// What the panels share for calls to the back end: a busy label, the last error, a notice, and run() tying them.
import { useState } from 'react';

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function useTask() {
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  /** Runs one call labelled `what`: busy while it runs, its error shown instead of thrown. */
  const run = async <T,>(what: string, f: () => Promise<T>): Promise<T | undefined> => {
    setBusy(what);
    setError(null);
    try {
      return await f();
    } catch (e) {
      setError(errorMessage(e));
      return undefined;
    } finally {
      setBusy(null);
    }
  };
  return { busy, error, setError, notice, setNotice, run };
}
