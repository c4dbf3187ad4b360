/**
 * Producer/consumer example pairs and the {@code ipckit} command line. The command line runs on the class path
 * (the {@code ./ipckit} launcher); {@code ipckit bench} needs the benchmark jar beside it, which the launcher adds
 * for that command only.
 */
@SuppressWarnings({"requires-automatic"})
module dev.ipckit.examples {
    // The examples' public methods take Agrona buffers: their users read Agrona through ipckit's core.
    requires transitive dev.ipckit.core;
    requires dev.ipckit.fifo;
    requires dev.ipckit.mmap;
    requires dev.ipckit.aeron;
    // gc removes doorbell files, which it recognises through the signal module's descriptor.
    requires dev.ipckit.signal;
    // Only 'ipckit bench' uses the ping-pong tool; the other commands run without it.
    requires static dev.ipckit.bench;
    requires info.picocli;

    exports dev.ipckit.examples;
    // picocli reads the commands' annotated fields and creates the commands by reflection.
    opens dev.ipckit.examples.cli to info.picocli;
}
