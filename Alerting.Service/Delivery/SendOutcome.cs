namespace Alerting.Service.Delivery;

/// <summary>How one attempt to deliver a message ended. A permanent failure is not tried again.</summary>
public sealed record SendOutcome(bool Succeeded, string? Error, bool Permanent = false)
{
    public static readonly SendOutcome Delivered = new(true, null);

    public static SendOutcome Failed(string error, bool permanent = false) =>
        new(false, DeliveryAnswers.Shorten(error), permanent);
}
