// Keeps adaptation profiles (the bytes of encodeProfile) in the browser's
// IndexedDB, one per model URL, so what the page learned about its writer
// survives a reload and never leaves the browser.
//
// IndexedDB rather than localStorage: the bytes go in as they are (no base64,
// a third larger), a profile with a full cache (about 1 MB for the shipped
// model, 1.3 MB as base64) is far below IndexedDB's quota but a large share
// of localStorage's 5 MB, and the write does not block the page while the
// writer types (localStorage's does).

const DATABASE = 'lstm-stream-browser-demo';
const STORE = 'profiles';

/** The database name and store the demo uses (the test writes a foreign profile into them). */
export const PROFILE_DATABASE = Object.freeze({ name: DATABASE, store: STORE });

function request(idbRequest) {
  return new Promise((resolve, reject) => {
    idbRequest.onsuccess = () => resolve(idbRequest.result);
    idbRequest.onerror = () => reject(idbRequest.error);
  });
}

/** Resolves when a transaction has committed (the data is on disk as far as the browser promises). */
function committed(transaction) {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onabort = () => reject(transaction.error ?? new Error('the IndexedDB transaction was aborted'));
    transaction.onerror = () => reject(transaction.error);
  });
}

/**
 * Opens the profile store; resolves to { load(key), save(key, bytes), remove(key) },
 * or rejects when the browser has no IndexedDB (some private modes): the page
 * then adapts without keeping a profile.
 */
export async function openProfileStore() {
  if (typeof indexedDB === 'undefined') throw new Error('this browser has no IndexedDB');
  const opening = indexedDB.open(DATABASE, 1);
  opening.onupgradeneeded = () => opening.result.createObjectStore(STORE);
  const database = await request(opening);
  return {
    /** The bytes saved under `key`, or null. */
    async load(key) {
      const value = await request(database.transaction(STORE, 'readonly').objectStore(STORE).get(key));
      return value instanceof Uint8Array ? value : value instanceof ArrayBuffer ? new Uint8Array(value) : null;
    },
    /** Saves `bytes` under `key`; resolves once committed. */
    async save(key, bytes) {
      const transaction = database.transaction(STORE, 'readwrite');
      transaction.objectStore(STORE).put(bytes, key);
      await committed(transaction);
    },
    /** Deletes what is saved under `key`; resolves once committed. */
    async remove(key) {
      const transaction = database.transaction(STORE, 'readwrite');
      transaction.objectStore(STORE).delete(key);
      await committed(transaction);
    },
  };
}
