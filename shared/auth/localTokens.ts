/**
 * The local host's tokens (AUTH_MODE=local): it signs them with a key it keeps in its data folder and
 * hands the app the public half (AUTH_LOCAL_JWKS). Issuer and audience are fixed names, so a token
 * from anywhere else (an Entra token included) is refused.
 */
export const LOCAL_TOKEN_ISSUER = 'urn:unmanned-cafe:local-host';
export const LOCAL_TOKEN_AUDIENCE = 'urn:unmanned-cafe:api';
export const LOCAL_TOKEN_ALGORITHM = 'ES256';
/** Short, so a token copied off a screen is soon useless; the staff page asks for a new one. */
export const LOCAL_TOKEN_SECONDS = 15 * 60;
