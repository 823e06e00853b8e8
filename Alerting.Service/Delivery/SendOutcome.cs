namespace Alerting.Service.Delivery;

/// <summary>
/// How one attempt to deliver a message ended. A permanent failure is not tried again. A success may carry an error
/// too: what did not go as asked (an email refused for some of its recipients) without calling for another attempt.
/// </summary>
public sealed record SendOutcome(bool Succeeded, string? Error, bool Permanent = false)
{
    public static readonly SendOutcome Delivered = new(true, null);

    public static SendOutcome DeliveredWithWarning(string warning) => new(true, DeliveryAnswers.Shorten(warning));

    public static SendOutcome Failed(string error, bool permanent = false) =>
        new(false, DeliveryAnswers.Shorten(error), permanent);
}
