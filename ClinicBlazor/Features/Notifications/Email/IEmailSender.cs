namespace ClinicBlazor.Features.Notifications.Email;

/// <summary>An email ready to go: the sender knows nothing of appointments beyond this.</summary>
public sealed record EmailMessage(string To, string Subject, string TextBody, string? HtmlBody);

/// <summary>Why a send failed, which decides what happens next.</summary>
public enum EmailFailureKind
{
    /// <summary>Try again later: SMTP 4xx, connection refused or reset before the message went.</summary>
    Transient,

    /// <summary>Will never work for this message: SMTP 5xx for the recipient or the message.</summary>
    Permanent,

    /// <summary>The email settings are wrong (SMTP 535): hold everything until an admin fixes them.</summary>
    Configuration,
}

/// <summary>A send that did not happen, classified; senders never retry on their own.</summary>
public sealed class EmailSendException(EmailFailureKind kind, string message, Exception? inner = null) : Exception(message, inner)
{
    public EmailFailureKind Kind { get; } = kind;
}

/// <summary>Sends email: MailKit SMTP, or .eml files in the pickup directory when no SMTP host is set.</summary>
public interface IEmailSender
{
    /// <summary>Where mail goes, for health and the Outbox page ("SMTP smtp.example:587", "pickup folder App_Data/outbox").</summary>
    string Description { get; }

    /// <summary>A session for one run: one connection, messages one after another.</summary>
    Task<IEmailSession> OpenSessionAsync(CancellationToken cancellationToken);
}

public interface IEmailSession : IAsyncDisposable
{
    /// <summary>Sends one message; returns the provider's id for it. Throws <see cref="EmailSendException"/>.</summary>
    Task<string> SendAsync(EmailMessage message, CancellationToken cancellationToken);

    /// <summary>
    /// Says which message comes next, so a session may build it (CPU only, nothing sent) while the
    /// caller records the last outcome. Sending it is still up to <see cref="SendAsync"/>.
    /// </summary>
    void Prepare(EmailMessage upcoming)
    {
    }
}
