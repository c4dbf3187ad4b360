package dev.ipckit;

import java.lang.foreign.MemorySegment;
import java.time.Duration;

import org.agrona.DirectBuffer;

/**
 * The sending end of a {@link Channel}.
 *
 * <p>{@code offer} returns {@code false} when the channel is full: back-pressure is normal, not an
 * exception. A message longer than {@link #maxMessageLength()} is refused with an
 * {@link IllegalArgumentException} naming both lengths, and nothing is written.
 */
public interface Sender extends Channel {

    /**
     * Writes one message if there is room, without blocking.
     *
     * @param buffer holding the payload.
     * @param offset of the payload in {@code buffer}.
     * @param length of the payload, 0..{@link #maxMessageLength()}.
     * @return {@code true} when written, {@code false} when the channel is full.
     * @throws IllegalArgumentException when {@code length} exceeds {@link #maxMessageLength()} or is negative.
     * @throws PeerGoneException when the receiver has died or closed its end.
     * @throws ChannelClosedException when this end is closed.
     */
    boolean offer(DirectBuffer buffer, int offset, int length);

    /**
     * Writes one message, waiting up to {@code timeout} for room.
     *
     * @param buffer holding the payload.
     * @param offset of the payload in {@code buffer}.
     * @param length of the payload, 0..{@link #maxMessageLength()}.
     * @param timeout how long to wait for room; {@link Duration#ZERO} behaves as {@link #offer(DirectBuffer, int, int)}.
     * @return {@code true} when written, {@code false} when the timeout passed with the channel still full.
     * @throws IllegalArgumentException when {@code length} exceeds {@link #maxMessageLength()} or is negative.
     * @throws PeerGoneException when the receiver has died or closed its end, including while waiting.
     * @throws ChannelClosedException when this end is closed.
     */
    boolean offer(DirectBuffer buffer, int offset, int length, Duration timeout);

    /**
     * Convenience form of {@link #offer(MemorySegment)} for a byte array: the same contract, and like it no Agrona
     * buffer (so no JVM flag) on a transport that serves the segment form natively. It wraps the array in a new
     * segment on each call; hot paths should reuse a segment or a {@link DirectBuffer} instead.
     *
     * @param bytes the payload, whole.
     * @return {@code true} when written, {@code false} when full.
     */
    default boolean offer(final byte[] bytes) {
        return offer(MemorySegment.ofArray(bytes));
    }

    /**
     * Convenience form of {@link #offer(MemorySegment, Duration)} for a byte array.
     *
     * @param bytes the payload, whole.
     * @param timeout how long to wait for room.
     * @return {@code true} when written, {@code false} on timeout.
     */
    default boolean offer(final byte[] bytes, final Duration timeout) {
        return offer(MemorySegment.ofArray(bytes), timeout);
    }

    /**
     * Writes one message if there is room, without blocking: the FFM-native form of
     * {@link #offer(DirectBuffer, int, int)}, with the same contract. The payload is the whole segment (heap or
     * native); slice it to send part of one.
     *
     * @param message the payload, {@code message.byteSize()} bytes, 0..{@link #maxMessageLength()}.
     * @return {@code true} when written, {@code false} when the channel is full.
     * @throws IllegalArgumentException when the message is longer than {@link #maxMessageLength()}.
     * @throws PeerGoneException when the receiver has died or closed its end.
     * @throws ChannelClosedException when this end is closed.
     */
    default boolean offer(final MemorySegment message) {
        return SegmentViews.offer(this, message, Duration.ZERO);
    }

    /**
     * Writes one message, waiting up to {@code timeout} for room: the FFM-native form of
     * {@link #offer(DirectBuffer, int, int, Duration)}, with the same contract.
     *
     * @param message the payload, {@code message.byteSize()} bytes, 0..{@link #maxMessageLength()}.
     * @param timeout how long to wait for room.
     * @return {@code true} when written, {@code false} when the timeout passed with the channel still full.
     * @throws IllegalArgumentException when the message is longer than {@link #maxMessageLength()}.
     * @throws PeerGoneException when the receiver has died or closed its end, including while waiting.
     * @throws ChannelClosedException when this end is closed.
     * @throws ChannelInterruptedException when the thread is interrupted while it waits.
     */
    default boolean offer(final MemorySegment message, final Duration timeout) {
        return SegmentViews.offer(this, message, timeout);
    }
}
