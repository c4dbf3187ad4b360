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
 * @param name e.g. {@code mmap/spin}.
 * @param kind ipckit, limit or peer.
 * @param reference the C row its rate is divided by, or null.
 * @param options an ipckit row's URI options; "" for other rows.
 * @param description what is measured, in a few words.
 */
public record StreamRow(String name, RowKind kind, String reference, String options, String description) {
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
            "Aeron aeron:ipc exclusive publication, embedded media driver, spinning"));

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
     * @return the reference as a list (empty for a C row).
     */
    public List<String> references() {
        return reference == null ? List.of() : List.of(reference);
    }
}
