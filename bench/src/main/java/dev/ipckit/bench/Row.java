package dev.ipckit.bench;

import java.util.List;
import java.util.Optional;

/**
 * One row of the round-trip table: a name such as {@code mmap/spin}, its kind, the rows its figures are compared
 * with, and for an ipckit row the URI options of its two channels.
 *
 * <p>A row is defined by this one line: an ipckit row's channels are {@code FAMILY:...?OPTIONS} (plus the capacity,
 * timeout and clean-up options of {@link EchoSession}), so a new wait mode or ring format is a new line here. A row
 * whose URI {@code Channels} refuses (an option this build does not know yet, such as {@code format=agrona} before
 * that format exists) is skipped with the refusal as its one-line reason. A one-to-many row ({@code subscribers=N}
 * among its options: {@code mmap/1to2}, {@code aeron/ipc-4sub}, {@code agrona/broadcast-2} ...) is one sender and N
 * subscriber processes, the designated one echoing ({@link FanPingPong}).
 *
 * @param name the row's name, e.g. {@code mmap/spin} or {@code c/pipe}.
 * @param kind ipckit, limit or peer.
 * @param limit the name of the C row this row is compared with, or null.
 * @param peers further rows this row is compared with (e.g. {@code mmap/spin} with {@code agrona/raw}).
 * @param options an ipckit row's URI options, e.g. {@code wait=signal&spins=0&yields=0}; a one-to-many row's
 *     {@code subscribers=N} (for an ipckit row among its URI options); "" for other rows.
 * @param description what is measured, in a few words.
 */
public record Row(String name, RowKind kind, String limit, List<String> peers, String options, String description) {
    /** Every row, in the order of the table. */
    public static final List<Row> ALL = List.of(
        ipckit("mmap/spin", "c/shm-spin", List.of("agrona/raw", "aeron/ipc"), "wait=spin",
            "mmap ring, both sides busy-spin"),
        ipckit("mmap/agrona-spin", "c/shm-spin", List.of("mmap/spin", "agrona/raw"), "wait=spin&format=agrona",
            "mmap ring in Agrona's record format (format=agrona), both sides busy-spin"),
        ipckit("mmap/backoff", "c/shm-spin", List.of(), "wait=backoff", "mmap ring, spin then yield then park"),
        ipckit("mmap/signal", "c/signal", List.of(), "wait=signal&spins=0&yields=0",
            "mmap ring, receiver sleeps in sigtimedwait, woken by tgkill"),
        ipckit("mmap/futex", "c/futex", List.of(), "wait=futex&spins=0&yields=0",
            "mmap ring, receiver sleeps in FUTEX_WAIT"),
        ipckit("fifo/block", "c/fifo", List.of(), "wait=block", "two named FIFOs, timed calls sleep in poll(2)"),
        ipckit("fifo/spin", "c/pipe-spin", List.of(), "wait=spin", "two named FIFOs, timed calls retry read(2)"),
        ipckit("pipe/block", "c/pipe", List.of(), "wait=block", "two inherited pipes, timed calls sleep in poll(2)"),
        ipckit("pipe/spin", "c/pipe-spin", List.of(), "wait=spin", "two inherited pipes, timed calls retry read(2)"),
        limit("c/shm-spin", "C: MAP_SHARED page, both sides spin on a sequence word"),
        limit("c/pipe", "C: two pipes, blocking read(2)"),
        limit("c/pipe-spin", "C: two O_NONBLOCK pipes, read(2) retried"),
        limit("c/fifo", "C: two named FIFOs, blocking read(2)"),
        limit("c/signal", "C: shared page, sigwaitinfo(2) woken by kill(2)"),
        limit("c/futex", "C: shared page, FUTEX_WAIT woken by FUTEX_WAKE"),
        peer("agrona/raw", "c/shm-spin", "Agrona OneToOneRingBuffer pair over a /dev/shm file, spinning"),
        peer("aeron/ipc", "c/shm-spin", "Aeron aeron:ipc with an embedded media driver, spinning"),
        ipckit("aeron/udp", "aeron/udp-ref", List.of(), "", "aeron:udp on 127.0.0.1, an embedded driver per end"),
        peer("aeron/udp-ref", null, "Aeron's UDP Ping/Pong on 127.0.0.1, the same drivers"),
        ipckit("mmap/1to2", "c/shm-spin", List.of("aeron/ipc-2sub", "agrona/broadcast-2"),
            "wait=backoff&subscribers=2", "mmap ring, one sender, 2 subscriber processes, subscriber 0 echoes"),
        ipckit("mmap/1to4", "c/shm-spin", List.of("aeron/ipc-4sub", "agrona/broadcast-4"),
            "wait=backoff&subscribers=4", "mmap ring, one sender, 4 subscriber processes, subscriber 0 echoes"),
        fanPeer("aeron/ipc-2sub", 2, "Aeron aeron:ipc, one publication, 2 subscriber processes, one echoes"),
        fanPeer("aeron/ipc-4sub", 4, "Aeron aeron:ipc, one publication, 4 subscriber processes, one echoes"),
        fanPeer("agrona/broadcast-2", 2, "Agrona BroadcastTransmitter, 2 CopyBroadcastReceiver processes, one echoes"),
        fanPeer("agrona/broadcast-4", 4, "Agrona BroadcastTransmitter, 4 CopyBroadcastReceiver processes, one echoes"));

    /**
     * Checks the values and copies the list.
     *
     * @throws IllegalArgumentException when the name has no slash.
     */
    public Row {
        if (name.indexOf('/') <= 0) {
            throw new IllegalArgumentException("row=" + name + " is not FAMILY/VARIANT");
        }
        peers = List.copyOf(peers);
        options = options == null ? "" : options;
    }

    /**
     * @param name e.g. {@code mmap/futex}.
     * @param limit its C limit.
     * @param peers further rows it is compared with.
     * @param options its channels' URI options.
     * @param description what is measured.
     * @return an ipckit row.
     */
    public static Row ipckit(final String name, final String limit, final List<String> peers, final String options,
                             final String description) {
        return new Row(name, RowKind.IPCKIT, limit, peers, options, description);
    }

    /**
     * @param name {@code c/MODE}, MODE one of {@link CLimits#MODES}.
     * @param description what is measured.
     * @return a C limit row.
     */
    public static Row limit(final String name, final String description) {
        return new Row(name, RowKind.LIMIT, null, List.of(), "", description);
    }

    /**
     * @param name e.g. {@code agrona/raw}.
     * @param limit the C limit it is compared with.
     * @param description what is measured.
     * @return a peer row.
     */
    public static Row peer(final String name, final String limit, final String description) {
        return new Row(name, RowKind.PEER, limit, List.of(), "", description);
    }

    /**
     * @param name e.g. {@code aeron/ipc-2sub}.
     * @param subscribers how many subscriber processes.
     * @param description what is measured.
     * @return a one-to-many peer row ({@link FanPingPong}), compared with {@code c/shm-spin}.
     */
    static Row fanPeer(final String name, final int subscribers, final String description) {
        return new Row(name, RowKind.PEER, "c/shm-spin", List.of(), "subscribers=" + subscribers, description);
    }

    /**
     * @return N of a one-to-many row ({@code subscribers=N} among its options), 0 for any other row.
     */
    public int subscribers() {
        return FanSession.subscribers(options);
    }

    /**
     * @return the rows this row's figures are divided by: its C limit first, then its peers.
     */
    public List<String> references() {
        final List<String> references = new java.util.ArrayList<>();
        if (limit != null) {
            references.add(limit);
        }
        references.addAll(peers);
        return references;
    }

    /**
     * @param name a row name.
     * @return the row.
     * @throws IllegalArgumentException naming the known rows when there is none of that name.
     */
    public static Row named(final String name) {
        return find(name).orElseThrow(() -> new IllegalArgumentException("row=" + name + " is not one of "
            + ALL.stream().map(Row::name).toList()));
    }

    /**
     * @param name a row name.
     * @return the row, if there is one of that name.
     */
    public static Optional<Row> find(final String name) {
        return ALL.stream().filter(row -> row.name.equals(name)).findFirst();
    }

    /**
     * @return the part after the slash: the wait mode of an ipckit row, the C mode of a limit row.
     */
    public String variant() {
        return name.substring(name.indexOf('/') + 1);
    }

    /**
     * @return the part before the slash: {@code mmap}, {@code fifo}, {@code pipe}, {@code c}, ...
     */
    public String family() {
        return name.substring(0, name.indexOf('/'));
    }

    /**
     * @return the file name of this row's histogram, e.g. {@code mmap_spin.hgrm}.
     */
    public String hgrmFileName() {
        return name.replace('/', '_') + ".hgrm";
    }
}
