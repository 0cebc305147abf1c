// Loaded into the Azurite child process: when the local host goes away, for whatever reason, the IPC
// channel closes and Azurite shuts down as on Ctrl-C, saving its data instead of lingering as an orphan.
process.on('disconnect', () => process.emit('SIGINT'));
