/** One thing the offline planner understood in a request, in the order asked. */
export type OfflineIntent =
  | { kind: 'list'; path: string; recursive: boolean }
  | { kind: 'read'; path: string }
  | { kind: 'summarize'; path: string }
  | { kind: 'search'; text: string; path?: string }
  | { kind: 'run'; command: string }
  | { kind: 'write'; path: string; content: string };

/** The language answers are written in: the request's. */
export type OfflineLanguage = 'en' | 'zh';

/** What the offline planner made of a request; `intents` is empty when it understood nothing usable. */
export interface OfflineUnderstanding {
  language: OfflineLanguage;
  intents: OfflineIntent[];
  /** The part it could not understand, when any (then `intents` is empty). */
  unclear?: string;
}
