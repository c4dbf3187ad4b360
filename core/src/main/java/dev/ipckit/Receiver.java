package dev.ipckit;

import java.lang.foreign.MemorySegment;
import java.time.Duration;

/**
 * The receiving end of a {@link Channel}.
 *
 * <p>Messages are handed to a {@link MessageHandler} one at a time, in the order they were sent. The
 * buffer passed to the handler is valid only during the callback.
 */
public interface Receiver extends Channel {

    /**
     * Delivers up to {@code limit} waiting messages without blocking.
     *
     * @param handler called once per message.
     * @param limit the most messages to deliver in this call, at least 1.
     * @return how many messages were delivered, 0 when none were waiting.
     * @throws PeerGoneException when nothing is left to drain and the sender has died or closed its end.
     * @throws ChannelClosedException when this end is closed.
     */
    int poll(MessageHandler handler, int limit);

    /**
     * Delivers up to {@code limit} messages, waiting up to {@code timeout} for the first one.
     *
     * @param handler called once per message.
     * @param limit the most messages to deliver in this call, at least 1.
     * @param timeout how long to wait for a message; {@link Duration#ZERO} behaves as {@link #poll(MessageHandler, int)}.
     * @return how many messages were delivered, 0 when the timeout passed with none.
     * @throws PeerGoneException when nothing is left to drain and the sender has died or closed its end.
     * @throws ChannelClosedException when this end is closed.
     */
    int poll(MessageHandler handler, int limit, Duration timeout);

    /**
     * Delivers up to {@code limit} waiting messages without blocking, as read-only {@link MemorySegment} views: the
     * FFM-native form of {@link #poll(MessageHandler, int)}, with the same contract.
     *
     * @param handler called once per message.
     * @param limit the most messages to deliver in this call, at least 1.
     * @return how many messages were delivered, 0 when none were waiting.
     * @throws PeerGoneException when nothing is left to drain and the sender has died or closed its end.
     * @throws ChannelClosedException when this end is closed.
     */
    default int poll(final SegmentHandler handler, final int limit) {
        return poll(SegmentViews.adapt(this, "poll(SegmentHandler, int)", handler), limit);
    }

    /**
     * Delivers up to {@code limit} messages as read-only {@link MemorySegment} views, waiting up to {@code timeout}
     * for the first one: the FFM-native form of {@link #poll(MessageHandler, int, Duration)}, with the same contract.
     *
     * @param handler called once per message.
     * @param limit the most messages to deliver in this call, at least 1.
     * @param timeout how long to wait for a message.
     * @return how many messages were delivered, 0 when the timeout passed with none.
     * @throws PeerGoneException when nothing is left to drain and the sender has died or closed its end.
     * @throws ChannelClosedException when this end is closed.
     * @throws ChannelInterruptedException when the thread is interrupted while it waits.
     */
    default int poll(final SegmentHandler handler, final int limit, final Duration timeout) {
        return poll(SegmentViews.adapt(this, "poll(SegmentHandler, int, Duration)", handler), limit, timeout);
    }
}
