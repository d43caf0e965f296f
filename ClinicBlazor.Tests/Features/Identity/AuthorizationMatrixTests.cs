using System.Reflection;
using System.Runtime.CompilerServices;
using ClinicBlazor.Data;
using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.Identity;
using ClinicBlazor.Features.Staff;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicBlazor.Tests.Features.Identity;

/// <summary>
/// Every public method of every service in Features/ (a class named *Service, or one that takes
/// <see cref="ClinicAuthorization"/>), found by reflection and called as each kind of caller. The
/// table below says who may call what; a method missing from it fails the test, so a new service
/// method is added here when it lands.
/// </summary>
public sealed class AuthorizationMatrixTests(ClinicAppFactory app) : IClassFixture<ClinicAppFactory>
{
    public enum Caller
    {
        Anonymous,
        Receptionist,
        PractitionerOwn,
        PractitionerOther,
        Admin,
        Deactivated,
    }

    /// <summary>Who may call a method.</summary>
    public enum Access
    {
        /// <summary>Public pages (online booking) or a step with no person behind it.</summary>
        Anyone,

        /// <summary>Any active member of staff (the calendar, patients).</summary>
        Staff,

        /// <summary>Admins only (settings, staff, credits, Outbox).</summary>
        Admin,

        /// <summary>The person themselves (their own profile, hours, notices) or an admin.</summary>
        OwnOrAdmin,

        /// <summary>Admins get an answer; anyone else gets nothing (null), not a refusal: the admins' banners in the layout.</summary>
        AdminElseNothing,

        /// <summary>Called by the app's own code with what it has established (a database context, an actor): not reachable from a page.</summary>
        Internal,
    }

    // Keyed "Service.Method(parameter types)", without the CancellationToken.
    private static readonly Dictionary<string, Access> Table = new(StringComparer.Ordinal)
    {
        ["AppointmentService.BookAsync(BookAppointment)"] = Access.Staff,
        ["AppointmentService.BookAsync(BookAppointment, Booker)"] = Access.Internal,
        ["AppointmentService.MoveAsync(MoveAppointment)"] = Access.Staff,
        ["AppointmentService.CancelAsync(CancelAppointment)"] = Access.Staff,
        ["AppointmentService.CancelAsync(CancelAppointment, Canceller)"] = Access.Internal,
        ["AppointmentService.ReinstateAsync(Int32)"] = Access.Staff,
        ["CancellationPreview.DescribeCancellingAsync(Int32)"] = Access.Staff,

        ["AuditLog.Record(ClinicDbContext, Actor, String, String, String)"] = Access.Internal,
        ["AuditLog.RecordAsync(Actor, String, String, String)"] = Access.Internal,
        ["AuditLog.QueryAsync(AuditQuery)"] = Access.Admin,

        ["AvailabilityService.GetWorkingWindowsAsync(Int32, DateOnly)"] = Access.Internal,
        ["AvailabilityService.GetWorkingWindowsAsync(IReadOnlyCollection`1, DateOnly, DateOnly)"] = Access.Internal,
        ["AvailabilityService.IsWithinWorkingHoursAsync(Int32, DateTime, DateTime)"] = Access.Internal,

        ["AvailabilitySettingsService.GetAsync(Int32)"] = Access.Admin,
        ["AvailabilitySettingsService.SaveWorkingHoursAsync(Int32, IReadOnlyList`1)"] = Access.Admin,
        ["AvailabilitySettingsService.AddTimeOffAsync(Int32, TimeOffDraft)"] = Access.Admin,
        ["AvailabilitySettingsService.RemoveTimeOffAsync(Int32)"] = Access.Admin,

        ["CalendarService.GetSetupAsync()"] = Access.Staff,
        ["CalendarService.GetAppointmentsAsync(DateTime, DateTime)"] = Access.Staff,
        ["CalendarService.GetAvailabilityAsync(CalendarSetup, DateOnly, DateOnly)"] = Access.Staff,
        ["CalendarService.WorkingHoursWarningAsync(CalendarPractitioner, DateTime, DateTime)"] = Access.Staff,
        ["CalendarService.GetDetailsAsync(Int32)"] = Access.Staff,

        ["CalendarPreferencesService.GetAsync(CalendarSetup)"] = Access.Staff,
        ["CalendarPreferencesService.SaveAsync(CalendarPreferences)"] = Access.Staff,

        ["ClinicSettingsService.GetDetailsAsync()"] = Access.Admin,
        ["ClinicSettingsService.SaveDetailsAsync(ClinicDetails)"] = Access.Admin,
        ["ClinicSettingsService.GetOnlineBookingsAsync()"] = Access.Admin,
        ["ClinicSettingsService.SaveOnlineBookingsAsync(OnlineBookingSettings)"] = Access.Admin,

        ["AppointmentTypeSettingsService.ListAsync()"] = Access.Admin,
        ["AppointmentTypeSettingsService.SaveAsync(AppointmentTypeDraft)"] = Access.Admin,
        ["AppointmentTypeSettingsService.RemoveAsync(Int32)"] = Access.Admin,
        ["AppointmentTypeSettingsService.RestoreAsync(Int32)"] = Access.Admin,

        ["MyInfoService.SaveAsync(SaveMyInfo)"] = Access.OwnOrAdmin,
        ["MyInfoService.GetForEditingAsync(String)"] = Access.OwnOrAdmin,
        ["MyInfoService.RequireMayEditAsync(String)"] = Access.OwnOrAdmin,

        ["NoticeHistory.GetRecentForUserAsync(String, Int32)"] = Access.OwnOrAdmin,
        ["NoticeHistory.GetOutboxNoticesAsync(OutboxFilter)"] = Access.Admin,
        ["NoticeHistory.GetOutgoingMessagesAsync(OutboxFilter)"] = Access.Admin,
        ["NoticeHistory.GetPractitionersAsync()"] = Access.Admin,
        ["DeliveryResend.ResendAsync(Int32)"] = Access.Admin,
        ["TestNotifications.SendTestAsync(String)"] = Access.OwnOrAdmin,
        ["NoticeHistory.GetEmailSettingsProblemAsync()"] = Access.AdminElseNothing,
        ["NoticeHistory.GetSmsSettingsProblemAsync()"] = Access.AdminElseNothing,

        ["OnlineBookingService.GetChoicesAsync()"] = Access.Anyone,
        ["OnlineBookingService.GetSlotsAsync(Nullable`1, Int32, DateOnly)"] = Access.Anyone,
        ["OnlineBookingService.BookAsync(String, Int32, PatientDetailsInput, String)"] = Access.Anyone,
        ["OnlineBookingService.FindByTokenAsync(String)"] = Access.Anyone,
        ["OnlineBookingService.CancelAsync(String, Nullable`1)"] = Access.Anyone,

        ["PatientService.SearchAsync(String, Int32)"] = Access.Staff,
        ["PatientService.GetAsync(Int32)"] = Access.Staff,
        ["PatientService.FindDuplicatesAsync(PatientForm, Nullable`1)"] = Access.Staff,
        ["PatientService.CreateAsync(PatientForm, Boolean)"] = Access.Staff,
        ["PatientService.UpdateAsync(Int32, PatientForm)"] = Access.Staff,
        ["PatientService.GetAppointmentsAsync(Int32)"] = Access.Staff,
        // The clinic's country (for reading phone numbers), as the public booking page also shows it.
        ["PatientService.GetCountryCodeAsync()"] = Access.Anyone,

        ["SmsCreditService.TopUpAsync(Int32, String)"] = Access.Admin,
        ["SmsCreditService.TopUpAsync(String, String)"] = Access.Admin,
        ["SmsCreditService.GetSummaryAsync()"] = Access.Admin,
        ["SmsCreditService.SetLowBalanceThresholdAsync(Int32)"] = Access.Admin,
        ["SmsCreditService.SetLowBalanceThresholdAsync(String)"] = Access.Admin,
        ["SmsCreditService.GetLedgerAsync(SmsLedgerFilter)"] = Access.Admin,
        ["SmsCreditService.GetDailyUsageAsync(Int32)"] = Access.Admin,
        ["SmsCreditService.ExportCsvAsync(SmsLedgerFilter)"] = Access.Admin,

        ["StaffService.ListAsync()"] = Access.Admin,
        ["StaffService.AddAsync(NewStaffMember)"] = Access.Admin,
        ["StaffService.SetRolesAsync(String, IReadOnlySet`1)"] = Access.Admin,
        ["StaffService.GetFutureAppointmentsAsync(String)"] = Access.Admin,
        ["StaffService.DeactivateAsync(String)"] = Access.Admin,
        ["StaffService.ReactivateAsync(String)"] = Access.Admin,
        ["StaffService.ResetPasswordAsync(String)"] = Access.Admin,
    };

    private const string FormerStaffEmail = "former.admin@harbourside.example";

    [Fact]
    public void Every_service_method_is_in_the_table()
    {
        var missing = ServiceMethods().Select(Key).Where(key => !Table.ContainsKey(key)).ToList();
        var gone = Table.Keys.Except(ServiceMethods().Select(Key)).ToList();

        Assert.True(missing.Count == 0, "Add these service methods to AuthorizationMatrixTests.Table:\n" + string.Join("\n", missing));
        Assert.True(gone.Count == 0, "These methods in AuthorizationMatrixTests.Table no longer exist:\n" + string.Join("\n", gone));
    }

    [Fact]
    public async Task Each_caller_is_allowed_or_refused_as_the_table_says()
    {
        var people = await PeopleAsync();
        var wrong = new List<string>();
        foreach (var method in ServiceMethods().Where(m => Table.GetValueOrDefault(Key(m)) != Access.Internal).OrderBy(Key, StringComparer.Ordinal))
        {
            // Admin last: an admin's call may change the data the others' calls look at.
            foreach (var caller in Enum.GetValues<Caller>().OrderBy(c => c == Caller.Admin))
            {
                var access = Table.TryGetValue(Key(method), out var listed) ? listed : throw new InvalidOperationException($"{Key(method)} is not in the table.");
                var expected = Allowed(access, caller);
                var (refused, answer) = await CallAsync(method, caller, people);
                if (refused == expected)
                {
                    wrong.Add($"{Key(method)} as {caller}: {(refused ? "refused" : "allowed")}, the table says {(expected ? "allowed" : "refused")}");
                }
                else if (access == Access.AdminElseNothing && caller != Caller.Admin && answer is not null)
                {
                    wrong.Add($"{Key(method)} as {caller}: answered \"{answer}\", the table says nothing but to admins");
                }
            }
        }

        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    private static bool Allowed(Access access, Caller caller) => access switch
    {
        Access.Anyone or Access.AdminElseNothing => true,
        Access.Staff => caller is not (Caller.Anonymous or Caller.Deactivated),
        Access.Admin => caller is Caller.Admin,
        Access.OwnOrAdmin => caller is Caller.PractitionerOwn or Caller.Admin,
        _ => throw new ArgumentOutOfRangeException(nameof(access)),
    };

    private static IEnumerable<MethodInfo> ServiceMethods()
    {
        var services = typeof(ClinicAuthorization).Assembly.GetTypes()
            .Where(t => t is { IsPublic: true, IsClass: true, IsAbstract: false } && t.Namespace?.StartsWith("ClinicBlazor.Features.", StringComparison.Ordinal) == true)
            .Where(t => t.Name.EndsWith("Service", StringComparison.Ordinal)
                || t.GetConstructors().Any(c => c.GetParameters().Any(p => p.ParameterType == typeof(ClinicAuthorization))));
        return services.SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Where(m => !m.IsSpecialName);
    }

    private static string Key(MethodInfo method) =>
        $"{method.DeclaringType!.Name}.{method.Name}({string.Join(", ", method.GetParameters().Where(p => p.ParameterType != typeof(CancellationToken)).Select(p => p.ParameterType.Name))})";

    private async Task<(bool Refused, object? Answer)> CallAsync(MethodInfo method, Caller caller, People people)
    {
        await using var scope = caller switch
        {
            Caller.Anonymous => app.AnonymousScope(),
            Caller.Receptionist => await app.ScopeForAsync(DemoSignIns.Receptionist.Email),
            Caller.PractitionerOwn or Caller.PractitionerOther => await app.ScopeForAsync(DemoSignIns.Practitioner.Email),
            Caller.Admin => await app.ScopeForAsync(DemoSignIns.Admin.Email),
            _ => await app.ScopeForAsync(FormerStaffEmail),
        };
        var target = caller == Caller.PractitionerOwn ? people.Own : people.Other;
        var service = scope.ServiceProvider.GetRequiredService(method.DeclaringType!);
        var arguments = method.GetParameters().Select(p => Argument(p.ParameterType, p.Name ?? "", target, people, depth: 0)).ToArray();
        try
        {
            var returned = method.Invoke(service, arguments);
            if (returned is Task task)
            {
                await task;
                returned = task.GetType().IsGenericType ? task.GetType().GetProperty("Result")!.GetValue(task) : null;
            }

            return (false, returned);
        }
        catch (Exception exception) when (Unwrap(exception) is ClinicAuthorizationException)
        {
            return (true, null);
        }
        catch (Exception)
        {
            // Past the authorization check: a refused argument, a missing row.
            return (false, null);
        }
    }

    private static Exception Unwrap(Exception exception) =>
        exception is TargetInvocationException { InnerException: { } inner } ? Unwrap(inner) : exception;

    /// <summary>A plausible argument: the target person's ids by parameter name, otherwise a simple value.</summary>
    private static object? Argument(Type type, string name, Target target, People people, int depth)
    {
        var underlying = Nullable.GetUnderlyingType(type);
        if (type == typeof(CancellationToken))
        {
            return CancellationToken.None;
        }

        if (type == typeof(string))
        {
            return name.Contains("userid", StringComparison.OrdinalIgnoreCase) ? target.UserId
                : name.Contains("credits", StringComparison.OrdinalIgnoreCase) ? "1"
                : name.Contains("email", StringComparison.OrdinalIgnoreCase) ? "someone@harbourside.example"
                : "Matrix";
        }

        if (type == typeof(int) || underlying == typeof(int))
        {
            return name.Contains("practitionerid", StringComparison.OrdinalIgnoreCase) ? target.PractitionerId
                : name.Contains("appointmentid", StringComparison.OrdinalIgnoreCase) ? people.AppointmentId
                : name.Contains("patientid", StringComparison.OrdinalIgnoreCase) ? people.PatientId
                : 1;
        }

        if (underlying is not null)
        {
            return null;
        }

        if (type == typeof(DateTime))
        {
            return people.Now;
        }

        if (type == typeof(DateOnly))
        {
            return DateOnly.FromDateTime(people.Now);
        }

        if (type == typeof(TimeOnly))
        {
            return new TimeOnly(9, 0);
        }

        if (type == typeof(Guid))
        {
            return Guid.Empty;
        }

        if (type.IsEnum)
        {
            return Enum.GetValues(type).GetValue(0);
        }

        if (type.IsValueType)
        {
            return Activator.CreateInstance(type);
        }

        if (type == typeof(Actor))
        {
            return new Actor(target.UserId, "Matrix", new HashSet<string>());
        }

        if (type == typeof(Canceller))
        {
            return new PatientCanceller(people.PatientId);
        }

        if (type == typeof(ClinicDbContext))
        {
            return null;
        }

        if (type.IsGenericType && type.GetGenericArguments().Length == 1 && type.IsInterface)
        {
            var element = type.GetGenericArguments()[0];
            var definition = type.GetGenericTypeDefinition();
            return definition == typeof(IReadOnlySet<>) || definition == typeof(ISet<>)
                ? Activator.CreateInstance(typeof(HashSet<>).MakeGenericType(element))
                : Array.CreateInstance(element, 0);
        }

        if (depth > 3)
        {
            return null;
        }

        var constructor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).FirstOrDefault();
        if (constructor is null)
        {
            return RuntimeHelpers.GetUninitializedObject(type);
        }

        var instance = constructor.Invoke([.. constructor.GetParameters().Select(p => Argument(p.ParameterType, p.Name ?? "", target, people, depth + 1))]);
        foreach (var property in type.GetProperties().Where(p => p.CanWrite && p.SetMethod!.IsPublic))
        {
            property.SetValue(instance, Argument(property.PropertyType, property.Name, target, people, depth + 1));
        }

        return instance;
    }

    private async Task<People> PeopleAsync()
    {
        await using var scope = app.AnonymousScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
        if (await users.FindByEmailAsync(FormerStaffEmail) is null)
        {
            var former = new StaffUser { UserName = FormerStaffEmail, Email = FormerStaffEmail, DisplayName = "Former Admin", EmailConfirmed = true };
            Assert.True((await users.CreateAsync(former, "Former#Admin2026")).Succeeded);
            Assert.True((await users.AddToRolesAsync(former, Roles.All)).Succeeded);
            former.IsActive = false;
            Assert.True((await users.UpdateAsync(former)).Succeeded);
        }

        await using var db = await app.CreateDbContextAsync();
        async Task<Target> TargetAsync(string email)
        {
            var user = await users.FindByEmailAsync(email);
            var practitioner = await db.Set<Practitioner>().AsNoTracking().SingleAsync(p => p.UserId == user!.Id);
            return new Target(user!.Id, practitioner.Id);
        }

        var own = await TargetAsync(DemoSignIns.Practitioner.Email);
        var other = await TargetAsync(DemoSignIns.SecondPractitioner.Email);
        var appointment = await db.Set<Appointment>().AsNoTracking().OrderBy(a => a.Id).FirstAsync();
        return new People(own, other, appointment.Id, appointment.PatientId, appointment.StartUtc);
    }

    private sealed record Target(string UserId, int PractitionerId);

    private sealed record People(Target Own, Target Other, int AppointmentId, int PatientId, DateTime Now);
}
