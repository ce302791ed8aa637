/**
 * The header every `/_tap/*` admin call carries. A web page cannot add a custom header to a
 * cross-origin request without a CORS preflight, which the front door answers only for allowed
 * origins: so a page's "simple" POST to /_tap/reset is refused even if it slipped past Origin checks.
 */
export const ADMIN_HEADER = 'x-tap-admin';
export const ADMIN_HEADERS: Readonly<Record<string, string>> = { [ADMIN_HEADER]: '1' };
