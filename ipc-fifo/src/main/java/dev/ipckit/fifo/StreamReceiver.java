package dev.ipckit.fifo;

import dev.ipckit.Receiver;

/**
 * The receiving end of a {@code fifo:} or {@code pipe:} channel, as {@code Channels.openReceiver} returns it for
 * those schemes: a {@link Receiver} that can say what its bulk reads cost at close.
 *
 * <p>A stream receiver reads as much as the pipe holds in one {@code read(2)} and delivers from its own buffer.
 * A receiver closed part-way (it was asked for N messages, say) may therefore hold messages it read and never
 * delivered; they are gone from the FIFO. At close it also reads the rest of a frame it held only part of, so
 * that a writer still holding the FIFO and the next receiver meet at a frame boundary, never mid-frame.
 *
 * <p>With {@code readahead=false} in its URI a receiver reads no further than the frames a poll may still deliver
 * (a frame's header, then its payload together with the next header while the poll may deliver another): a
 * receiver that takes N messages with polls whose limits add up to N leaves every later frame in the FIFO for the
 * next receiver, and drops nothing at close. It costs about one {@code read(2)} per message instead of one per
 * pipe-full. {@code ipckit recv --count N} reads that way.
 *
 * <pre>{@code
 * receiver.close();
 * if (receiver instanceof StreamReceiver stream && stream.droppedAtClose() > 0) {
 *     log.warn(stream.droppedAtClose() + " messages were read ahead and dropped");
 * }
 * }</pre>
 */
public interface StreamReceiver extends Receiver {

    /**
     * @return how many whole messages this end had read and not delivered when it closed; 0 before close.
     */
    int droppedAtClose();
}
