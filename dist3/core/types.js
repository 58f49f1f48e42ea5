// Shared types and the interfaces of the outside services (Embedder, VectorStore, ChatModel).
/** Version of the collection layout rag creates (fields, rag.meta); a collection with another one is refused. */
export const SCHEMA_VERSION = 2;
//# sourceMappingURL=types.js.map