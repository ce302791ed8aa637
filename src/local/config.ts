/** The one account the local AWS pretends to be. Twelve digits, like a real one, and obviously fake. */
export const ACCOUNT_ID = '000000000000';
export const DEFAULT_REGION = 'us-east-1';
export const DEFAULT_PORT = 4566;
