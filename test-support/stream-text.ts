/** A response body read as text as it arrives: what came so far, and a promise that settles when it ends. */
export interface StreamText {
  text(): string;
  /** Resolves when the body ends, is cut or is aborted (what arrived stays in `text()`). */
  ended: Promise<void>;
}

/** Reads `body` to its end in the background (an event stream never ends by itself). */
export function readStreamText(body: ReadableStream<Uint8Array>): StreamText {
  let received = '';
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const ended = (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        received += decoder.decode(value, { stream: true });
      }
    } catch {
      // A reset or an abort instead of an end: the caller sees what is missing in text().
    }
  })();
  return { text: () => received, ended };
}
