// Loaded into the Azurite child process the local host starts (node --require). It makes Azurite's
// table store save when the host says so, and durably, because the host's storage journal decides
// when a journal segment may be dropped from what Azurite has saved (see local-host/src/storageJournal.ts):
//  - Azurite's own timer save (LokiJS autosave, every 5 s) is turned off: the host asks for saves
//    over the IPC channel ({ type: 'cafe-save', id }) and is answered ({ type: 'cafe-saved', id, error? })
//    once the data file is on disk;
//  - a save writes a temporary file, flushes it to disk, renames it over the data file and flushes the
//    folder, so a power cut leaves either the old or the new snapshot, never a torn one;
//  - SIGTERM and SIGINT are ignored: when `npm start`'s whole process group gets one (a service
//    manager's stop, Ctrl-C in the terminal), the host drains its work first and then stops Azurite
//    itself, last. Azurite's own SIGINT handler (which closes its server) is held back and run then;
//  - when the host goes away for whatever reason the IPC channel closes, and Azurite saves and exits
//    instead of lingering as an orphan (before it has started serving, it exits without a save: no
//    client can have written, and a save then could overwrite the data file with a store not yet loaded).
'use strict';
const Module = require('node:module');
const fs = require('node:fs');
const path = require('node:path');

const databases = [];
let wrapped;

function fsyncPath(target, flags) {
  const fd = fs.openSync(target, flags);
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function makeDurable(Loki) {
  Loki.LokiFsAdapter.prototype.saveDatabase = function saveDurably(dbname, dbstring, callback) {
    const temporary = `${dbname}~`;
    fs.writeFile(temporary, dbstring, (writeError) => {
      if (writeError) return callback(writeError);
      try {
        fsyncPath(temporary, 'r');
        fs.renameSync(temporary, dbname);
        fsyncPath(path.dirname(path.resolve(dbname)), 'r');
        callback();
      } catch (error) {
        callback(error);
      }
    });
  };
  function HostSavedLoki(filename, options) {
    const db = new Loki(filename, { ...options, autosave: false });
    if (options && options.persistenceMethod === 'fs') databases.push(db);
    return db;
  }
  Object.setPrototypeOf(HostSavedLoki, Loki);
  HostSavedLoki.prototype = Loki.prototype;
  return HostSavedLoki;
}

const originalLoad = Module._load;
Module._load = function loadWithDurableLoki(request, ...rest) {
  const exported = originalLoad.call(this, request, ...rest);
  if (request !== 'lokijs') return exported;
  wrapped ??= makeDurable(exported);
  return wrapped;
};

/** Saves every table store; the state saved is the one at the moment of the call. */
function saveAll() {
  return Promise.all(
    databases.map((db) => new Promise((resolve, reject) => db.saveDatabase((error) => (error ? reject(error) : resolve())))),
  );
}

process.on('message', (message) => {
  if (!message || message.type !== 'cafe-save') return;
  saveAll().then(
    () => process.send?.({ type: 'cafe-saved', id: message.id }),
    (error) => process.send?.({ type: 'cafe-saved', id: message.id, error: String(error && error.message ? error.message : error) }),
  );
});

process.on('SIGTERM', () => {
  // The host stops Azurite itself, after its own work has drained.
});

// Azurite closes its server on SIGINT, which a Ctrl-C sends to the whole group while the host is still
// draining: its SIGINT listeners (registered with on/once/addListener; Azurite uses no other way) are
// held here instead, and a SIGINT itself does nothing.
const heldSigintListeners = [];
for (const method of ['on', 'once', 'addListener']) {
  const register = process[method].bind(process);
  process[method] = function holdingSigint(event, listener) {
    if (event === 'SIGINT') {
      heldSigintListeners.push(listener);
      return process;
    }
    return register(event, listener);
  };
}
process.prependListener('SIGINT', () => {});

process.on('disconnect', () => {
  // Azurite registers its SIGINT listener once its server is up: none yet means it is still starting.
  if (heldSigintListeners.length === 0) process.exit(0);
  saveAll()
    .catch((error) => console.error(`Azurite could not save its tables: ${error && error.message ? error.message : error}`))
    .finally(() => {
      for (const close of heldSigintListeners.splice(0)) close();
    });
});
