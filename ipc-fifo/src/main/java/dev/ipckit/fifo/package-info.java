/**
 * FIFO and pipe transports: named FIFOs with the O_NDELAY open behaviours ({@code fifo:}, see
 * {@link dev.ipckit.fifo.FifoChannelProvider}), anonymous pipes between threads ({@link dev.ipckit.fifo.Pipes}),
 * and pipes handed to child processes ({@link dev.ipckit.fifo.ChildPipe}, {@link dev.ipckit.fifo.ChildProcess},
 * {@code pipe:fd=N}, see {@link dev.ipckit.fifo.PipeChannelProvider}). All carry the frames
 * {@link dev.ipckit.fifo.FrameDescriptor} draws, over non-blocking descriptors.
 */
package dev.ipckit.fifo;
