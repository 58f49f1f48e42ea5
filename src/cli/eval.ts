// `rag eval` (in progress).
import { RagError } from '../core/errors.js';
export async function runEval(_file: string, _flags: Record<string, unknown>): Promise<number> {
  throw new RagError('rag eval is not built yet');
}
