using MassTransit;
using Sensors360.Contracts;

namespace Realtime.Gateway.Identity;

/// <summary>
/// Applies another gateway instance's revocation here (a temporary queue per instance, so every instance hears every
/// one). The instance that made the change hears its own too: revoking twice closes nothing more.
/// </summary>
public sealed class OperatorAccessRevokedConsumer(AccessRevocations revocations) : IConsumer<OperatorAccessRevoked>
{
    public Task Consume(ConsumeContext<OperatorAccessRevoked> context)
    {
        revocations.Revoke(context.Message.UserId, context.Message.Reason);
        return Task.CompletedTask;
    }
}
