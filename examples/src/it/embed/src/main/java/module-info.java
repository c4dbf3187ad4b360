/**
 * An application that embeds ipckit: it reads the Channel API only; the transports are found as services.
 */
module embed.app {
    requires dev.ipckit.core;
}
