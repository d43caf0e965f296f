using ClinicBlazor.Features.Common;
using ClinicBlazor.Features.Identity;
using ClinicBlazor.Features.MyInfo;
using ClinicBlazor.Features.Notifications;
using ClinicBlazor.Features.Staff;
using ClinicBlazor.Tests.Features.Notifications;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicBlazor.Tests.Features.MyInfo;

public sealed class MyInfoServiceTests(ClinicAppFactory app) : IClassFixture<ClinicAppFactory>
{
    private static string Tom => DemoSignIns.SecondPractitioner.Email;

    [Fact]
    public async Task Invalid_mobile_is_refused_at_the_field_and_nothing_is_saved()
    {
        var (userId, before) = await DetailsAsync(Tom);
        await using var scope = await app.ScopeForAsync(Tom);

        var result = await scope.ServiceProvider.GetRequiredService<MyInfoService>()
            .SaveAsync(new SaveMyInfo(userId, "Tom B. Changed", before.NotificationEmail, "0412 34", NotificationMethod.Email, 3));

        Assert.False(result.Succeeded);
        Assert.Contains("valid mobile", result.ErrorFor(nameof(SaveMyInfo.Mobile)));
        var after = (await DetailsAsync(Tom)).Details;
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task Sms_without_a_mobile_is_refused_at_the_mobile_field()
    {
        var (userId, before) = await DetailsAsync(Tom);
        await using var scope = await app.ScopeForAsync(Tom);

        var result = await scope.ServiceProvider.GetRequiredService<MyInfoService>()
            .SaveAsync(new SaveMyInfo(userId, before.DisplayName, before.NotificationEmail, "", NotificationMethod.Sms, null));

        Assert.Contains("mobile", result.ErrorFor(nameof(SaveMyInfo.Mobile)));
        Assert.Equal(NotificationMethod.Off, (await DetailsAsync(Tom)).Details.NotificationMethod);
    }

    [Fact]
    public async Task Invalid_email_with_email_method_is_refused_at_the_email_field()
    {
        var (userId, before) = await DetailsAsync(Tom);
        await using var scope = await app.ScopeForAsync(Tom);

        var result = await scope.ServiceProvider.GetRequiredService<MyInfoService>()
            .SaveAsync(new SaveMyInfo(userId, before.DisplayName, "tom at home", "", NotificationMethod.Email, null));

        Assert.NotNull(result.ErrorFor(nameof(SaveMyInfo.NotificationEmail)));
        Assert.Equal(before, (await DetailsAsync(Tom)).Details);
    }

    [Fact]
    public async Task Practitioner_saves_their_own_mobile_as_E164_and_settings_without_an_audit_entry()
    {
        var mei = DemoClinicUser("mei@");
        var (userId, before) = await DetailsAsync(mei);
        var auditsBefore = await AuditCountAsync();
        await using var scope = await app.ScopeForAsync(mei);

        var result = await scope.ServiceProvider.GetRequiredService<MyInfoService>()
            .SaveAsync(new SaveMyInfo(userId, before.DisplayName, before.NotificationEmail, "0412 345 678", NotificationMethod.SmsAndEmail, 2));

        Assert.True(result.Succeeded, string.Join("; ", result.Errors.Values));
        var after = (await DetailsAsync(mei)).Details;
        Assert.Equal("+61412345678", after.MobileE164);
        Assert.Equal(NotificationMethod.SmsAndEmail, after.NotificationMethod);
        Assert.Equal(2, after.NotifyWithinDays);
        Assert.Equal("0412 345 678", MyInfoService.FormatMobile(after.MobileE164, "AU"));
        Assert.Equal(auditsBefore, await AuditCountAsync());
    }

    [Fact]
    public async Task Practitioner_cannot_save_another_practitioners_settings()
    {
        var (tomId, before) = await DetailsAsync(Tom);
        await using var scope = await app.ScopeForAsync(DemoSignIns.Practitioner.Email);

        await Assert.ThrowsAsync<ClinicAuthorizationException>(() => scope.ServiceProvider.GetRequiredService<MyInfoService>()
            .SaveAsync(new SaveMyInfo(tomId, before.DisplayName, before.NotificationEmail, "", NotificationMethod.Email, null)));

        Assert.Equal(before, (await DetailsAsync(Tom)).Details);
    }

    [Fact]
    public async Task Admin_can_save_a_practitioners_settings_and_it_is_recorded()
    {
        var daniel = DemoClinicUser("daniel@");
        var (userId, before) = await DetailsAsync(daniel);
        await using var scope = await app.ScopeForAsync(DemoSignIns.Admin.Email);

        var result = await scope.ServiceProvider.GetRequiredService<MyInfoService>()
            .SaveAsync(new SaveMyInfo(userId, before.DisplayName, "daniel.notices@harbourside.example", "", NotificationMethod.Email, 5, NotifyOfMoves: true, NotifyOfNewBookings: true));

        Assert.True(result.Succeeded, string.Join("; ", result.Errors.Values));
        var after = (await DetailsAsync(daniel)).Details;
        Assert.Equal(NotificationMethod.Email, after.NotificationMethod);
        Assert.True(after.NotifyOfMoves);
        Assert.True(after.NotifyOfNewBookings);
        await using var db = await app.CreateDbContextAsync();
        var entry = await db.Set<AuditEntry>().OrderByDescending(a => a.Id).FirstAsync();
        Assert.Equal("Olivia Grant", entry.ActorName);
        Assert.Equal("My Info", entry.Area);
        Assert.Equal("Daniel Okafor", entry.Subject);
        Assert.Contains("Cancellation notifications: Off → Email", entry.Change);
        Assert.Contains("How far in advance: Anytime → 5 days", entry.Change);
        Assert.Contains("daniel.notices@harbourside.example", entry.Change);
        Assert.Contains($"{MyInfoService.MovesLabel}: off → on", entry.Change);
        Assert.Contains($"{MyInfoService.NewBookingsLabel}: off → on", entry.Change);
    }

    [Fact]
    public async Task Practitioner_cannot_read_another_practitioners_notices()
    {
        var (tomId, _) = await DetailsAsync(Tom);
        await using var scope = await app.ScopeForAsync(DemoSignIns.Practitioner.Email);

        await Assert.ThrowsAsync<ClinicAuthorizationException>(() => scope.ServiceProvider.GetRequiredService<NoticeHistory>().GetRecentForUserAsync(tomId));
    }

    private static string DemoClinicUser(string prefix) =>
        ClinicBlazor.Features.DemoClinic.DemoClinicSeeder.Staff.Single(s => s.Email.StartsWith(prefix, StringComparison.Ordinal)).Email;

    private async Task<int> AuditCountAsync()
    {
        await using var db = await app.CreateDbContextAsync();
        return await db.Set<AuditEntry>().CountAsync();
    }

    private async Task<(string UserId, MyInfoDetails Details)> DetailsAsync(string email)
    {
        var practitioner = await app.PractitionerAsync(email);
        await using var scope = await app.ScopeForAsync(DemoSignIns.Admin.Email);
        return (practitioner.UserId, await scope.ServiceProvider.GetRequiredService<MyInfoService>().GetForEditingAsync(practitioner.UserId));
    }
}
