import { createHmac } from 'node:crypto';

/**
 * How users.json names users. `hmac-sha256`: each id is replaced by HMAC-SHA256(salt, id) (hex, first 32
 * characters = 128 bits). The salt is a secret from the environment and never written to the checkpoint: a
 * plain hash of ids like MovieLens's 1…610 could be reversed by trying them all.
 */
export const USER_ID_SCHEMES = ['plain', 'hmac-sha256'] as const;
export type UserIdScheme = (typeof USER_ID_SCHEMES)[number];

export const USER_SALT_VARIABLE = 'INTEREST_EVO_USER_SALT';

export function pseudonym(salt: string, id: string): string {
  return createHmac('sha256', salt).update(id, 'utf8').digest('hex').slice(0, 32);
}

/** Throws, naming the variable, when `scheme` needs a salt and there is none. */
export function requireSalt(scheme: UserIdScheme, salt: string | null): void {
  if (scheme === 'hmac-sha256' && !salt) {
    throw new Error(
      `checkpoint.user_ids: hmac-sha256 needs a secret salt in ${USER_SALT_VARIABLE} (it is not stored in the checkpoint)`,
    );
  }
}

/** The ids to export under `scheme`. */
export function exportedUserIds(ids: readonly string[], scheme: UserIdScheme, salt: string | null): string[] {
  requireSalt(scheme, salt);
  return scheme === 'plain' ? [...ids] : ids.map((id) => pseudonym(salt!, id));
}

/**
 * Maps an id from a request to the key users.json holds. With hmac-sha256 and the salt at hand the raw id
 * is hashed; without the salt, callers are taken to send the pseudonyms themselves.
 */
export function userKeyOf(scheme: UserIdScheme | undefined, salt: string | null): (id: string) => string {
  if (scheme === 'hmac-sha256' && salt) return (id) => pseudonym(salt, id);
  return (id) => id;
}
