package dev.ipckit;

import org.agrona.DirectBuffer;

/**
 * Receives messages from {@link Receiver#poll(MessageHandler, int)}.
 */
@FunctionalInterface
public interface MessageHandler {

    /**
     * Called once per message. The bytes are valid only until this method returns; copy what must be kept.
     *
     * @param buffer holding the payload.
     * @param offset of the payload in {@code buffer}.
     * @param length of the payload in bytes.
     */
    void onMessage(DirectBuffer buffer, int offset, int length);
}
