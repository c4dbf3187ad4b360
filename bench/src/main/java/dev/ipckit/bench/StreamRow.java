package dev.ipckit.bench;

import java.util.List;
import java.util.Optional;

/**
 * One row of the throughput table: a producer process streaming messages to a consumer in this process as fast as
 * the mechanism allows, beside the C program doing the same ({@code stream.c}). Row names are those of the
 * round-trip table where the mechanism is the same ({@code mmap/spin}, {@code c/pipe}, {@code agrona/raw} ...).
 *
 * <p>An ipckit row is its URI options alone: its channel is {@code FAMILY:...?OPTIONS} with a 1 MiB capacity and
 * 64 KiB messages ({@link StreamBench}); a row whose URI {@code Channels} refuses (such as {@code format=agrona}
 * before that format exists) is skipped with the refusal as its reason.
 *
 * <p>A one-to-many row ({@code mmap/1to2}, {@code aeron/ipc-4sub}, {@code agrona/broadcast-2} ...) has
 * {@code subscribers=N} among its options: one sender in this process and N subscriber processes ({@link FanStream}),
 * at {@value FanStream#SIZE} bytes only, its rate reported per subscriber and in total. Its peers run interleaved
 * with it and get a ratio line of their own.
 *
 * @param name e.g. {@code mmap/spin}.
 * @param kind ipckit, limit or peer.
 * @param reference the C row its rate is divided by, or null.
 * @param options an ipckit row's URI options; a one-to-many row's {@code subscribers=N}; "" for other rows.
 * @param description what is measured, in a few words.
 * @param peers further rows its rate is divided by (run interleaved with it), after the C row.
 */
public record StreamRow(String name, RowKind kind, String reference, String options, String description,
                        List<String> peers) {
    /** Every row, in the order of the table. */
    public static final List<StreamRow> ALL = List.of(
        new StreamRow("mmap/spin", RowKind.IPCKIT, "c/shm-spin", "wait=spin",
            "mmap ring, timed offer and poll spinning"),
        new StreamRow("mmap/agrona-spin", RowKind.IPCKIT, "c/shm-spin", "wait=spin&format=agrona",
            "mmap ring in Agrona's record format, spinning"),
        new StreamRow("fifo/block", RowKind.IPCKIT, "c/pipe", "wait=block",
            "a named FIFO, timed offer and poll sleeping in poll(2)"),
        new StreamRow("pipe/block", RowKind.IPCKIT, "c/pipe", "wait=block",
            "an inherited pipe, timed offer and poll sleeping in poll(2)"),
        new StreamRow("c/shm-spin", RowKind.LIMIT, null, "", "C: SPSC ring of stamped slots in a MAP_SHARED mapping"),
        new StreamRow("c/pipe", RowKind.LIMIT, null, "", "C: a pipe, one write(2) and one read(2) per message"),
        new StreamRow("agrona/raw", RowKind.PEER, "c/shm-spin", "",
            "Agrona OneToOneRingBuffer in a /dev/shm file, spinning"),
        new StreamRow("aeron/ipc", RowKind.PEER, "c/shm-spin", "",
            "Aeron aeron:ipc exclusive publication, embedded media driver, spinning"),
        fanOut("mmap/1to2", RowKind.IPCKIT, "wait=backoff&subscribers=2",
            List.of("aeron/ipc-2sub", "agrona/broadcast-2"),
            "mmap ring, subscribers=2, one sender and 2 subscriber processes, wait=backoff"),
        fanOut("mmap/1to4", RowKind.IPCKIT, "wait=backoff&subscribers=4",
            List.of("aeron/ipc-4sub", "agrona/broadcast-4"),
            "mmap ring, subscribers=4, one sender and 4 subscriber processes, wait=backoff"),
        fanOut("aeron/ipc-2sub", RowKind.PEER, "subscribers=2", List.of(),
            "Aeron aeron:ipc, one exclusive publication, 2 subscriber processes, backoff"),
        fanOut("aeron/ipc-4sub", RowKind.PEER, "subscribers=4", List.of(),
            "Aeron aeron:ipc, one exclusive publication, 4 subscriber processes, backoff"),
        fanOut("agrona/broadcast-2", RowKind.PEER, "subscribers=2", List.of(),
            "Agrona BroadcastTransmitter, 2 CopyBroadcastReceiver processes, backoff; lossy"),
        fanOut("agrona/broadcast-4", RowKind.PEER, "subscribers=4", List.of(),
            "Agrona BroadcastTransmitter, 4 CopyBroadcastReceiver processes, backoff; lossy"));

    /**
     * Checks the values and copies the list.
     */
    public StreamRow {
        peers = List.copyOf(peers);
        options = options == null ? "" : options;
    }

    /**
     * A row without peers.
     *
     * @param name e.g. {@code mmap/spin}.
     * @param kind ipckit, limit or peer.
     * @param reference the C row its rate is divided by, or null.
     * @param options an ipckit row's URI options; "" for other rows.
     * @param description what is measured.
     */
    public StreamRow(final String name, final RowKind kind, final String reference, final String options,
                     final String description) {
        this(name, kind, reference, options, description, List.of());
    }

    private static StreamRow fanOut(final String name, final RowKind kind, final String options,
                                    final List<String> peers, final String description) {
        return new StreamRow(name, kind, "c/shm-spin", options, description, peers);
    }

    /**
     * @return N of a one-to-many row ({@code subscribers=N} among its options), 0 for any other row.
     */
    public int subscribers() {
        return FanSession.subscribers(options);
    }

    /**
     * @param size a message length.
     * @return whether the row runs at that length (a one-to-many row at {@value FanStream#SIZE} bytes only).
     */
    public boolean runsAt(final int size) {
        return subscribers() == 0 || size == FanStream.SIZE;
    }

    /**
     * @param name a row name.
     * @return the row, if there is one of that name.
     */
    public static Optional<StreamRow> find(final String name) {
        return ALL.stream().filter(row -> row.name.equals(name)).findFirst();
    }

    /**
     * @param name a row name.
     * @return the row.
     * @throws IllegalArgumentException naming the known rows when there is none of that name.
     */
    public static StreamRow named(final String name) {
        return find(name).orElseThrow(() -> new IllegalArgumentException("row=" + name + " is not one of "
            + ALL.stream().map(StreamRow::name).toList()));
    }

    /**
     * @return the part before the slash: {@code mmap}, {@code fifo}, {@code pipe}, {@code c}, ...
     */
    public String family() {
        return name.substring(0, name.indexOf('/'));
    }

    /**
     * @return the part after the slash.
     */
    public String variant() {
        return name.substring(name.indexOf('/') + 1);
    }

    /**
     * @return the C reference, then the peers (empty for a C row).
     */
    public List<String> references() {
        final List<String> references = new java.util.ArrayList<>();
        if (reference != null) {
            references.add(reference);
        }
        references.addAll(peers);
        return references;
    }
}
