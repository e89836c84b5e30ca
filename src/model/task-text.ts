import { ChatMessage } from './language-model';

const OPEN = '<task>';
const CLOSE = '</task>';
// only tag-like sequences are touched, so commands such as `a && b` reach the model unchanged;
// an existing "&lt;task" gains one "amp;" so the escape stays reversible
const ESCAPE = /&((?:amp;)*)lt;(\/?task)|<(\/?task)/gi;
const UNESCAPE = /&((?:amp;)*)lt;(\/?task)/gi;

/**
 * Puts the user's task into a prompt as data: `<task>…</task>`, with any `<task` / `</task`
 * inside the text neutralised so it cannot close (or reopen) the block it sits in.
 * {@link extractTaskText} reverses it exactly.
 */
export function wrapTaskText(task: string): string {
  const escaped = task.replace(
    ESCAPE,
    (match, amps: string | undefined, tag1?: string, tag2?: string) =>
      match.startsWith('<') ? `&lt;${tag2}` : `&amp;${amps ?? ''}lt;${tag1}`,
  );
  return `${OPEN}\n${escaped}\n${CLOSE}`;
}

/**
 * The task text in a conversation, trimmed: the first `<task>…</task>` block of the latest user
 * message that has one (an escaped body holds no `</task`, so the first closing tag is the real
 * one, whatever later blocks such as `<plan>` repeat); without one, the last user message before
 * the first assistant turn (the message that set the task; later user messages are the loop's
 * notes). Empty string when there is no user message.
 */
export function extractTaskText(messages: ChatMessage[]): string {
  const users = messages.filter((m) => m.role === 'user' && typeof m.content === 'string');
  for (let i = users.length - 1; i >= 0; i--) {
    const text = users[i].content as string;
    const start = text.indexOf(OPEN);
    const end = start >= 0 ? text.indexOf(CLOSE, start + OPEN.length) : -1;
    if (end >= 0) return unescape(text.slice(start + OPEN.length, end)).trim();
  }
  const firstAssistant = messages.findIndex((m) => m.role === 'assistant');
  const opening = firstAssistant < 0 ? messages : messages.slice(0, firstAssistant);
  const setter = [...opening].reverse().find((m) => m.role === 'user') ?? users[0];
  return (setter?.content ?? '').trim();
}

function unescape(text: string): string {
  return text.replace(UNESCAPE, (_m, amps: string, tag: string) =>
    amps ? `&${amps.slice('amp;'.length)}lt;${tag}` : `<${tag}`,
  );
}
