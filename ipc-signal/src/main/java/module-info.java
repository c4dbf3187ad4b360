/**
 * Signal wake-ups ({@code wait=signal}) for idle receivers, and the Doorbell they ring.
 */
module dev.ipckit.signal {
    requires transitive dev.ipckit.core;

    exports dev.ipckit.signal;

    provides dev.ipckit.spi.WakeupProvider with dev.ipckit.signal.SignalWakeupProvider;
}
