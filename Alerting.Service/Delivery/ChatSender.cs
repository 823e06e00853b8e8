using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Alerting.Service.Channels;
using Alerting.Service.Webhooks;
using Microsoft.Extensions.Options;

namespace Alerting.Service.Delivery;

/// <summary>
/// Posts a message to a chat channel's incoming webhook: Slack's incoming-webhook format (<c>{"text": …}</c>) or an
/// Adaptive Card in a Teams message. Through the webhooks' HTTP client, so the same address rules apply
/// (<see cref="WebhookNetworks"/>).
/// </summary>
public sealed class ChatSender(IHttpClientFactory clients, IOptions<DeliveryOptions> options)
{
    /// <summary>
    /// Lines a chat message shows at most: chat services limit a message's size, so a big outage is summed up
    /// ("… and 300 more") rather than refused; email carries every line.
    /// </summary>
    public const int MaxLines = 150;

    public async Task<SendOutcome> SendAsync(AlertChannel channel, AlertMessage message, CancellationToken cancellationToken)
    {
        var shown = Shortened(message);
        var body = channel.Kind == ChannelKinds.Teams ? Teams(shown) : Slack(shown);
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(options.Value.Timeout);
        try
        {
            using var response = await clients.CreateClient(WebhookSender.HttpClientName)
                .PostAsJsonAsync(channel.Url, body, attempt.Token);
            var status = (int)response.StatusCode;
            return DeliveryAnswers.Succeeded(status) ? SendOutcome.Delivered
                : DeliveryAnswers.Retryable(status) ? SendOutcome.Failed($"HTTP {status} {response.ReasonPhrase}".TrimEnd())
                : SendOutcome.Failed($"HTTP {status} {response.ReasonPhrase}: the receiver refused the message".TrimEnd(), permanent: true);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return SendOutcome.Failed($"No response within {options.Value.Timeout.TotalSeconds:0.###} s.");
        }
        catch (HttpRequestException ex) when (ex.InnerException is WebhookTargetRefusedException refused)
        {
            return SendOutcome.Failed("Not sent: " + refused.Message, permanent: true);
        }
        catch (HttpRequestException ex)
        {
            return SendOutcome.Failed(ex.InnerException is { } inner ? $"{ex.Message} ({inner.Message})" : ex.Message);
        }
    }

    static AlertMessage Shortened(AlertMessage message) => message.Lines.Count <= MaxLines ? message
        : message with { Lines = [.. message.Lines.Take(MaxLines), $"… and {message.Lines.Count - MaxLines} more."] };

    static JsonObject Slack(AlertMessage message) => new()
    {
        ["text"] = $"*{message.Subject}*\n{message.Heading}\n```\n{string.Join('\n', message.Lines)}\n```",
    };

    static JsonObject Teams(AlertMessage message) => new()
    {
        ["type"] = "message",
        ["attachments"] = new JsonArray(new JsonObject
        {
            ["contentType"] = "application/vnd.microsoft.card.adaptive",
            ["content"] = new JsonObject
            {
                ["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json",
                ["type"] = "AdaptiveCard",
                ["version"] = "1.4",
                ["body"] = new JsonArray(
                    new JsonObject { ["type"] = "TextBlock", ["text"] = message.Subject, ["weight"] = "Bolder", ["size"] = "Medium", ["wrap"] = true },
                    new JsonObject { ["type"] = "TextBlock", ["text"] = message.Heading, ["wrap"] = true },
                    new JsonObject { ["type"] = "TextBlock", ["text"] = string.Join("\n\n", message.Lines), ["wrap"] = true, ["fontType"] = "Monospace" }),
            },
        }),
    };
}
