/**
 * The aeron transport: {@code aeron:udp?endpoint=HOST:PORT} channels between hosts, on Aeron's reliable UDP unicast.
 *
 * <ul>
 *   <li>{@link dev.ipckit.aeron.AeronChannelProvider} serves {@code aeron:} URIs, parsed by
 *       {@link dev.ipckit.aeron.AeronOptions};</li>
 *   <li>{@link dev.ipckit.aeron.AeronSender} (an exclusive publication) and {@link dev.ipckit.aeron.AeronReceiver}
 *       (a subscription reading one image) are the two ends; each runs an embedded media driver in a private
 *       directory unless {@code driver=external} names a running one.</li>
 * </ul>
 *
 * <p>Semantics, in short: whole messages in order, repaired by Aeron's NAKs, while both ends live; {@code offer}
 * false under back-pressure; the longest message is an eighth of {@code termLength}; a peer is gone after its image
 * or its status messages stop, closed (end of stream seen) or died (silent for {@code peerTimeout=}).
 */
package dev.ipckit.aeron;
