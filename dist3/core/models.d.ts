export interface ModelProfile {
    queryPrefix: string;
    docPrefix: string;
    pooling: 'mean' | 'cls';
    /** The sequence length the model was trained with, when shorter than its tokenizer's limit. */
    maxSeqLength?: number;
}
/** First match wins; patterns are tested against the lower-cased model id or folder name. */
export declare const MODEL_TABLE: readonly {
    pattern: RegExp;
    profile: ModelProfile;
}[];
/** The profile of a model, with user overrides of the prefixes applied. */
export declare function modelProfile(model: string, overrides?: {
    queryPrefix?: string | undefined;
    docPrefix?: string | undefined;
}): ModelProfile;
/** Indexes of `texts` sorted by length, so that each batch pads to similar lengths. */
export declare function lengthOrder(texts: readonly string[]): number[];
