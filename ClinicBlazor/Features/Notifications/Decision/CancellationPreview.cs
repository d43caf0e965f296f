using ClinicBlazor.Data;
using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.Identity;
using ClinicBlazor.Features.SmsCredits;
using ClinicBlazor.Features.Staff;
using Microsoft.EntityFrameworkCore;

namespace ClinicBlazor.Features.Notifications;

/// <summary>How a practitioner's notice looks from the desk just before cancelling: the policy's decision and the SMS channel's state.</summary>
public sealed record NoticeOutlook(
    string FirstName,
    NoticeDecision Decision,
    NotificationMethod Method,
    int? NotifyWithinDays,
    bool HasEmail,
    bool SmsPaused,
    bool HasSmsCredits);

/// <summary>
/// Says, before a member of staff confirms a cancellation, what will happen to the practitioner's
/// notice ("Priya will be emailed", "Priya won't be told: outside their 3-day window"). It asks
/// <see cref="NoticePolicy"/> the question <see cref="ScheduleNotices"/> will ask, and
/// reads the channel the way the dispatcher does: an SMS needs a credit and an unpaused number,
/// and falls back to email when there is an address.
/// </summary>
public sealed class CancellationPreview(IDbContextFactory<ClinicDbContext> dbFactory, ClinicAuthorization authorization, TimeProvider clock)
{
    /// <summary>The sentence for cancelling this appointment now, as the signed-in member of staff; null when it cannot be cancelled.</summary>
    public async Task<string?> DescribeCancellingAsync(int appointmentId, CancellationToken cancellationToken = default)
    {
        var actor = await authorization.RequireAsync(Permission.UseCalendar);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var appointment = await db.Set<Appointment>().AsNoTracking()
            .Where(a => a.Id == appointmentId && a.Status != AppointmentStatus.Cancelled)
            .Select(a => new { a.StartUtc, a.PractitionerId })
            .SingleOrDefaultAsync(cancellationToken);
        if (appointment is null)
        {
            return null;
        }

        var practitioner = await db.Set<Practitioner>().AsNoTracking().SingleAsync(p => p.Id == appointment.PractitionerId, cancellationToken);
        var balance = await db.Set<SmsCreditAccount>().AsNoTracking()
            .Where(a => a.Id == SmsCreditAccount.SingletonId).Select(a => a.Balance).SingleOrDefaultAsync(cancellationToken);
        var settings = new NoticeSettings(practitioner.NotificationMethod, practitioner.NotifyWithinDays);
        var decision = NoticePolicy.Decide(settings, actor.UserId == practitioner.UserId, appointment.StartUtc, clock.GetUtcNow().UtcDateTime);
        var firstName = practitioner.DisplayName.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? practitioner.DisplayName;
        return Describe(new NoticeOutlook(
            firstName,
            decision,
            practitioner.NotificationMethod,
            practitioner.NotifyWithinDays,
            HasEmail: practitioner.NotificationEmail.Length > 0,
            SmsPaused: practitioner.SmsPausedReason is not null,
            HasSmsCredits: balance > 0));
    }

    /// <summary>The sentence for an outlook; pure, so every case is a row of a table test.</summary>
    public static string Describe(NoticeOutlook outlook)
    {
        var name = outlook.FirstName;
        if (!outlook.Decision.Notifies)
        {
            return $"{name} won't be told: {WhyNot(outlook)}.";
        }

        var email = outlook.Method.UsesEmail();
        if (!outlook.Method.UsesSms())
        {
            return $"{name} will be emailed.";
        }

        string? smsProblem = outlook.SmsPaused ? "their mobile number is paused" : !outlook.HasSmsCredits ? "no SMS credits left" : null;
        if (smsProblem is null)
        {
            return email ? $"{name} will be emailed and sent an SMS (1 credit)." : $"{name} will be sent an SMS (1 credit).";
        }

        if (email)
        {
            return $"{name} will be emailed: {smsProblem}.";
        }

        // The dispatcher falls back to email when an SMS cannot go and there is an address.
        return !outlook.HasEmail ? $"{name} won't be told: {smsProblem}."
            : outlook.SmsPaused ? $"{name} will be emailed: {smsProblem}."
            : $"{name} will be emailed instead: {smsProblem}.";
    }

    private static string WhyNot(NoticeOutlook outlook) => outlook.Decision.SuppressionReason switch
    {
        NoticePolicy.NotificationsOff => "they have cancellation notifications off",
        NoticePolicy.CancelledByYou => "you are cancelling your own appointment",
        NoticePolicy.AlreadyStarted => "the appointment has already started",
        _ when outlook.NotifyWithinDays is { } days => $"outside their {days}-day window",
        var reason => reason!,
    };
}
