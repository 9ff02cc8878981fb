package io.spool.protocol;

import java.nio.channels.FileChannel;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.RecordsSend;

/**
 * Records that stay in a log file: a fetch response carries this in place of bytes, and {@link ResponseEncoder}
 * turns it into a {@link SliceFileRegion} so the kernel copies the file to the socket. The channel belongs to the
 * log; this never closes it. Immutable.
 */
public record FileSliceRecords(FileChannel channel, long position, int sizeInBytes) implements BaseRecords {

    @Override
    public RecordsSend<? extends BaseRecords> toSend() {
        throw new UnsupportedOperationException("Spool sends file slices through ResponseEncoder");
    }
}
