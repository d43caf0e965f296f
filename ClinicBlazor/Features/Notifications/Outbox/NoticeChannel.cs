namespace ClinicBlazor.Features.Notifications;

/// <summary>How a message travels.</summary>
public enum NoticeChannel
{
    Email = 0,
    Sms = 1,
}
