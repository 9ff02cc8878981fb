package io.spool.metadata;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.proto.RaftProtos.RaftConfigurationProto;
import org.apache.ratis.protocol.GroupInfoReply;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.apache.ratis.util.ProtoUtils;

/**
 * One attempt to add a listener (a broker-only node) to the metadata quorum's Ratis configuration.
 *
 * <p>Ratis's {@code ADD} mode cannot be used for listeners: the leader keeps only the listeners named in the
 * request (its {@code LeaderStateImpl.startSetConfiguration} takes them from the request, not from the merged
 * list), so brokers joining one after another drop each other, and a dropped listener silently stops receiving the
 * log. Instead the attempt reads the configuration from a voter and sets it with this listener added,
 * {@code COMPARE_AND_SET} against what it read, so a change that wins a race makes the attempt fail and the caller
 * tries again. Stateless; runs on the caller's thread.
 */
final class ListenerJoin {
    private ListenerJoin() {
    }

    /**
     * @param client a client of the group's voters
     * @param askConf the voter to read the configuration from
     * @return empty once {@code self} is a listener of the committed configuration, else why not (yet)
     */
    static Optional<String> tryJoin(RaftClient client, RaftGroupId groupId, RaftPeerId askConf, RaftPeer self)
            throws IOException {
        GroupInfoReply info = client.getGroupManagementApi(askConf).info(groupId);
        Optional<RaftConfigurationProto> conf = info.getConf();
        if (!info.isSuccess() || conf.isEmpty()) {
            return Optional.of("no configuration from " + askConf + ": " + info.getException());
        }
        if (conf.get().getOldPeersCount() > 0) {
            return Optional.of("a configuration change is in progress at " + askConf);
        }
        List<RaftPeer> servers = ProtoUtils.toRaftPeers(conf.get().getPeersList());
        List<RaftPeer> listeners = ProtoUtils.toRaftPeers(conf.get().getListenersList());
        if (listeners.stream().anyMatch(l -> l.getId().equals(self.getId())
                && l.getAddress().equals(self.getAddress()))) {
            return Optional.empty();
        }
        List<RaftPeer> newListeners = new ArrayList<>(listeners.stream()
                .filter(l -> !l.getId().equals(self.getId())).toList());
        newListeners.add(self);
        RaftClientReply reply = client.admin().setConfiguration(SetConfigurationRequest.Arguments.newBuilder()
                .setServersInCurrentConf(servers).setListenersInCurrentConf(listeners)
                .setServersInNewConf(servers).setListenersInNewConf(newListeners)
                .setMode(SetConfigurationRequest.Mode.COMPARE_AND_SET).build());
        return reply.isSuccess() ? Optional.empty() : Optional.of(String.valueOf(reply.getException()));
    }
}
