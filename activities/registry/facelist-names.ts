/** The facelist's place in the registry; plain constants, so workflow code can import them. */
export const FACELIST_MODEL = 'facelist';
export const FACELIST_FILE = 'facelist.csv';
