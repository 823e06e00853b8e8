using Microsoft.Extensions.Hosting;
using Sensors360.Messaging;

namespace Realtime.Gateway.Tests;

public sealed class RecentMessageIdsTests
{
    [Fact]
    public void A_message_id_seen_within_the_window_is_a_repeat()
    {
        var recent = new RecentMessageIds(capacity: 3);
        var id = Guid.NewGuid();
        Assert.True(recent.FirstTime(id));
        Assert.False(recent.FirstTime(id));
        Assert.True(recent.FirstTime(Guid.NewGuid()));
    }

    [Fact]
    public void An_id_older_than_the_window_counts_as_new_again_and_a_missing_id_is_never_a_repeat()
    {
        var recent = new RecentMessageIds(capacity: 2);
        var first = Guid.NewGuid();
        recent.FirstTime(first);
        recent.FirstTime(Guid.NewGuid());
        recent.FirstTime(Guid.NewGuid());
        Assert.True(recent.FirstTime(first));
        Assert.True(recent.FirstTime(null));
        Assert.True(recent.FirstTime(null));
    }

    [Fact]
    public void An_id_checked_but_not_yet_remembered_is_not_a_repeat_so_a_retried_message_is_handled_again()
    {
        var recent = new RecentMessageIds(capacity: 3);
        var id = Guid.NewGuid();
        Assert.False(recent.Seen(id));
        // The first attempt failed before it remembered the id: the retry is not a repeat.
        Assert.False(recent.Seen(id));
        recent.Remember(id);
        Assert.True(recent.Seen(id));
        Assert.False(recent.FirstTime(id));
        recent.Remember(null);
        Assert.False(recent.Seen(null));
    }
}
