package dev.ipckit.bench;

/**
 * What a ping-pong row measures, as written in the {@code kind} column of {@code latency.csv}.
 */
public enum RowKind {
    /** An ipckit transport, through the {@code Channel} API. */
    IPCKIT("ipckit"),
    /** A C program doing the same mechanism without a JVM: the machine's limit. */
    LIMIT("limit"),
    /** What a user might pick instead of ipckit (raw Agrona, Aeron IPC). */
    PEER("peer");

    private final String label;

    RowKind(final String label) {
        this.label = label;
    }

    /**
     * @return the name used in the CSV: {@code ipckit}, {@code limit} or {@code peer}.
     */
    public String label() {
        return label;
    }
}
