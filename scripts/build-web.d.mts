export function buildWeb(options?: { outdir?: string }): Promise<void>;
