package io.vertxecho.internal;

/**
 * What a served connection tells its channel, and hears from it ({@link VertxInternals#serve}); called on the
 * connection's event loop.
 */
public interface ChannelHooks {

  /**
   * Whether the connection still has to answer a FIN from the client with more than a close, such as an unfinished
   * line to echo (unwritten echoes are seen by the channel itself). Asked after each read's echoes were flushed, just
   * before the channel decides how a FIN read with them is handled.
   */
  boolean holdsInput();

  /** The channel's unwritten bytes fell to the low-water mark after it had been unwritable: reading may resume. */
  void writable();
}
