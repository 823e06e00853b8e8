using System.Net.Sockets;
using Monitor.Worker.Storage;
using Npgsql;

namespace Monitor.Worker.Tests.Storage;

public sealed class TransientDatabaseFaultsTests
{
    static PostgresException Postgres(string sqlState) => new("message", "ERROR", "ERROR", sqlState);

    [Theory]
    [InlineData("57P01")]   // admin shutdown: PostgreSQL is stopping
    [InlineData("57P03")]   // cannot connect now: PostgreSQL is starting
    [InlineData("40P01")]   // deadlock
    [InlineData("53300")]   // too many connections
    public void A_database_that_is_briefly_unavailable_is_transient(string sqlState) =>
        Assert.True(TransientDatabaseFaults.IsTransient(Postgres(sqlState)));

    [Fact]
    public void A_refused_connection_is_transient_even_when_wrapped() =>
        Assert.True(TransientDatabaseFaults.IsTransient(new InvalidOperationException("writing failed",
            new NpgsqlException("Failed to connect", new SocketException((int)SocketError.ConnectionRefused)))));

    [Fact]
    public void No_primary_among_the_hosts_is_transient_during_a_promotion()
    {
        // What Npgsql throws when the old primary is known to be down and the standby is not yet promoted.
        Assert.True(TransientDatabaseFaults.IsTransient(new NpgsqlException("No suitable host was found.")));
        Assert.True(TransientDatabaseFaults.IsTransient(Postgres("25006"))); // read-only transaction: reached a standby
    }

    [Theory]
    [InlineData("23514")]   // no partition of relation "heartbeats" found for row
    [InlineData("23503")]   // foreign key violation: an unknown sensor
    [InlineData("22P02")]   // invalid text representation
    public void A_message_that_can_never_be_stored_is_not_transient(string sqlState) =>
        Assert.False(TransientDatabaseFaults.IsTransient(Postgres(sqlState)));

    [Fact]
    public void Other_exceptions_are_not_transient() =>
        Assert.False(TransientDatabaseFaults.IsTransient(new FormatException()));
}
