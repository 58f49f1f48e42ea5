import type { ChatMessage } from './types.js';
/** The system prompt of the Milvus "Build RAG with Milvus" tutorial, byte for byte (leading and trailing newline included). */
export declare const DEFAULT_SYSTEM_PROMPT = "\nHuman: You are an AI assistant. You are able to find answers to the questions from the contextual passage snippets provided.\n";
/** The tutorial's user prompt, with `{context}` and `{question}` placeholders, byte for byte. */
export declare const DEFAULT_USER_TEMPLATE: string;
/** Throw a usage error (exit code 2) naming the placeholders a custom user template lacks. */
export declare function validateTemplate(template: string): void;
export interface BuildMessagesInput {
    question: string;
    /** Retrieved passages, best first; joined with "\n" as in the tutorial. */
    contexts: string[];
    systemPrompt?: string;
    userTemplate?: string;
}
/** The system and user messages for one question. Placeholders are filled in one pass, so values are never re-substituted. */
export declare function buildMessages(input: BuildMessagesInput): ChatMessage[];
