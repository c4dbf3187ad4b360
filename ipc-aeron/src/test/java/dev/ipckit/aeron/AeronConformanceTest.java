package dev.ipckit.aeron;

import dev.ipckit.Channels;
import dev.ipckit.Receiver;
import dev.ipckit.Sender;
import dev.ipckit.conformance.ChannelConformanceTest;

/**
 * The conformance kit over Aeron UDP on 127.0.0.1, both ends in this process, each with its own embedded media
 * driver: the receiver binds first, the sender's open waits for it to answer.
 */
class AeronConformanceTest extends ChannelConformanceTest {

    /** A publication sees its image go whether the receiver closed or died: see {@link AeronSender}. */
    @Override
    protected boolean senderLearnsHowReceiverLeft() {
        return false;
    }

    @Override
    protected Pair openPair() {
        final String uri = Ports.loopbackUri("");
        final Receiver receiver = Channels.openReceiver(uri);
        try {
            final Sender sender = Channels.openSender(uri);
            return new Pair(sender, receiver);
        } catch (final RuntimeException e) {
            receiver.close();
            throw e;
        }
    }
}
