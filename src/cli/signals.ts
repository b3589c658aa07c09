const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * Resolves on the first SIGINT or SIGTERM. The handlers are removed then, so
 * a second Ctrl+C during a slow shutdown ends the process at once.
 */
export function waitForStopSignal(): Promise<(typeof SIGNALS)[number]> {
  return new Promise((resolve) => {
    const handlers = SIGNALS.map((signal) => {
      const handler = () => {
        for (const [i, s] of SIGNALS.entries()) process.off(s, handlers[i] as () => void);
        resolve(signal);
      };
      process.on(signal, handler);
      return handler;
    });
  });
}
