// The RAG prompt: the reference tutorial's system prompt and user template, and the chat messages built from them.
import { usageError } from './errors.js';
/** The system prompt of the Milvus "Build RAG with Milvus" tutorial, byte for byte (leading and trailing newline included). */
export const DEFAULT_SYSTEM_PROMPT = '\nHuman: You are an AI assistant. You are able to find answers to the questions from the contextual passage snippets provided.\n';
/** The tutorial's user prompt, with `{context}` and `{question}` placeholders, byte for byte. */
export const DEFAULT_USER_TEMPLATE = '\nUse the following pieces of information enclosed in <context> tags to provide an answer to the question enclosed in <question> tags.\n' +
    '<context>\n{context}\n</context>\n<question>\n{question}\n</question>\n';
const PLACEHOLDERS = ['{context}', '{question}'];
/** Throw a usage error (exit code 2) naming the placeholders a custom user template lacks. */
export function validateTemplate(template) {
    const missing = PLACEHOLDERS.filter((p) => !template.includes(p));
    if (missing.length > 0) {
        throw usageError(`the prompt template lacks the placeholder${missing.length > 1 ? 's' : ''} ${missing.join(' and ')}`, 'a user prompt template must contain both {context} (the retrieved passages) and {question}');
    }
}
/** The system and user messages for one question. Placeholders are filled in one pass, so values are never re-substituted. */
export function buildMessages(input) {
    const template = input.userTemplate ?? DEFAULT_USER_TEMPLATE;
    if (input.userTemplate !== undefined)
        validateTemplate(template);
    const values = { context: input.contexts.join('\n'), question: input.question };
    // A replacer function: `$&`, `$1`… in the values are inserted literally.
    const user = template.replace(/\{(context|question)\}/g, (_match, name) => values[name] ?? '');
    return [
        { role: 'system', content: input.systemPrompt ?? DEFAULT_SYSTEM_PROMPT },
        { role: 'user', content: user },
    ];
}
//# sourceMappingURL=prompt.js.map