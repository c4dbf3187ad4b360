package dev.ipckit.bench;

import java.util.List;
import java.util.Optional;

/**
 * One row of the ping-pong table: a name such as {@code mmap/spin}, its kind, and for an ipckit row the C limit
 * its ratio is taken against.
 *
 * @param name the row's name, e.g. {@code mmap/spin} or {@code c/pipe}.
 * @param kind ipckit, limit or peer.
 * @param limit the name of the C row this row is compared with, or null.
 * @param description what is measured, in a few words.
 */
public record Row(String name, RowKind kind, String limit, String description) {
    /** Every row, in the order of the table. */
    public static final List<Row> ALL = List.of(
        new Row("mmap/spin", RowKind.IPCKIT, "c/shm-spin", "mmap ring, both sides busy-spin"),
        new Row("mmap/backoff", RowKind.IPCKIT, "c/shm-spin", "mmap ring, spin then yield then park"),
        new Row("mmap/signal", RowKind.IPCKIT, "c/signal",
            "mmap ring, receiver sleeps in sigtimedwait, woken by tgkill"),
        new Row("mmap/futex", RowKind.IPCKIT, "c/futex", "mmap ring, receiver sleeps in FUTEX_WAIT"),
        new Row("fifo/block", RowKind.IPCKIT, "c/fifo", "two named FIFOs, timed calls sleep in poll(2)"),
        new Row("fifo/spin", RowKind.IPCKIT, "c/pipe-spin", "two named FIFOs, timed calls retry read(2)"),
        new Row("pipe/block", RowKind.IPCKIT, "c/pipe", "two inherited pipes, timed calls sleep in poll(2)"),
        new Row("pipe/spin", RowKind.IPCKIT, "c/pipe-spin", "two inherited pipes, timed calls retry read(2)"),
        new Row("c/shm-spin", RowKind.LIMIT, null, "C: MAP_SHARED page, both sides spin on a sequence word"),
        new Row("c/pipe", RowKind.LIMIT, null, "C: two pipes, blocking read(2)"),
        new Row("c/pipe-spin", RowKind.LIMIT, null, "C: two O_NONBLOCK pipes, read(2) retried"),
        new Row("c/fifo", RowKind.LIMIT, null, "C: two named FIFOs, blocking read(2)"),
        new Row("c/signal", RowKind.LIMIT, null, "C: shared page, sigwaitinfo(2) woken by kill(2)"),
        new Row("c/futex", RowKind.LIMIT, null, "C: shared page, FUTEX_WAIT woken by FUTEX_WAKE"),
        new Row("agrona/raw", RowKind.PEER, null, "Agrona OneToOneRingBuffer pair over a /dev/shm file, spinning"),
        new Row("aeron/ipc", RowKind.PEER, null, "Aeron aeron:ipc with an embedded media driver, spinning"),
        new Row("aeron/udp", RowKind.IPCKIT, "aeron/udp-ref", "aeron:udp on 127.0.0.1, an embedded driver per end"),
        new Row("aeron/udp-ref", RowKind.PEER, null, "Aeron's UDP Ping/Pong on 127.0.0.1, the same drivers"));

    /**
     * The order rows are run in: each C limit right before the ipckit rows compared with it, so that a ratio
     * compares two moments close together on a machine whose load drifts. Tables and files keep {@link #ALL}'s order.
     */
    public static final List<String> RUN_ORDER = List.of("c/shm-spin", "mmap/spin", "agrona/raw", "aeron/ipc",
        "mmap/backoff", "c/signal", "mmap/signal", "c/futex", "mmap/futex", "c/fifo", "fifo/block", "c/pipe-spin",
        "fifo/spin", "pipe/spin", "c/pipe", "pipe/block", "aeron/udp-ref", "aeron/udp");

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
