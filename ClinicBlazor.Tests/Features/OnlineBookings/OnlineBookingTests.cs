using System.Net;
using System.Text;
using ClinicBlazor.Features.Appointments;
using ClinicBlazor.Features.OnlineBookings;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace ClinicBlazor.Tests.Features.OnlineBookings;

public sealed class OnlineBookingTests : IAsyncLifetime
{
    // Tuesday 24 November 2026, 09:00 in Sydney.
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 22, 0, 0, TimeSpan.Zero);
    private readonly ClinicAppFactory app = new() { Clock = new FakeTimeProvider(Now) };

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task Patient_books_then_cancels_through_the_private_link_as_the_patient_online()
    {
        var confirmation = await BookFirstFreeSlotAsync(new DateOnly(2026, 11, 26));
        using var client = new SignInClient(app.ServerAddress);

        var page = await client.Http.GetStringAsync($"/booking/{confirmation.Token}");
        Assert.Contains("Cancel appointment", page, StringComparison.Ordinal);
        Assert.Equal(AppointmentStatus.Booked, (await AppointmentAsync(confirmation.AppointmentId)).Status);

        var asked = await client.Http.PostAsync($"/booking/{confirmation.Token}", Form(page, "cancel-booking", ("Input.Reason", "Sick")));
        var confirmPage = await asked.Content.ReadAsStringAsync();
        Assert.Contains("Cancel this appointment?", confirmPage, StringComparison.Ordinal);
        Assert.Equal(AppointmentStatus.Booked, (await AppointmentAsync(confirmation.AppointmentId)).Status);

        var response = await client.Http.PostAsync($"/booking/{confirmation.Token}", Form(confirmPage, "cancel-booking", ("Input.Reason", "Sick"), ("Input.Confirmed", "true")));

        Assert.Contains("Your appointment is cancelled", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var appointment = await AppointmentAsync(confirmation.AppointmentId);
        Assert.Equal(AppointmentStatus.Cancelled, appointment.Status);
        Assert.Equal(CancellationSource.OnlineBooking, appointment.CancellationSource);
        Assert.Equal("the patient, online", appointment.CancelledByName);
        Assert.Equal(CancellationReason.Sick, appointment.CancellationReason);
        Assert.Null(appointment.CancelledByUserId);
    }

    [Fact]
    public async Task Booking_pages_show_the_clinics_address_and_phone_and_times_in_its_format()
    {
        await using (var scope = await app.ScopeForAsync(DemoSignIns.Admin.Email))
        {
            var settings = scope.ServiceProvider.GetRequiredService<ClinicBlazor.Features.Settings.ClinicSettingsService>();
            var details = await settings.GetDetailsAsync();
            var saved = await settings.SaveDetailsAsync(details with { Address = "12 Harbour St, Sydney NSW 2000", TimeFormat = ClinicBlazor.Features.Settings.TimeFormat.TwelveHour });
            Assert.True(saved.Succeeded, saved.Error);
        }

        using var client = new SignInClient(app.ServerAddress);
        var page = WebUtility.HtmlDecode(await client.Http.GetStringAsync("/book?date=2026-11-26"));

        Assert.Contains("12 Harbour St, Sydney NSW 2000", page, StringComparison.Ordinal);
        Assert.Matches(@">\d{1,2}:\d{2} (am|pm)<", page);
        Assert.DoesNotMatch(@">\d{2}:\d{2}<", page);
        var confirmation = await BookFirstFreeSlotAsync(new DateOnly(2026, 11, 27));
        var manage = WebUtility.HtmlDecode(await client.Http.GetStringAsync($"/booking/{confirmation.Token}"));
        Assert.Matches(@"Friday 27 November 2026 at \d{1,2}:\d{2} (am|pm)", manage);
    }

    [Fact]
    public async Task Opening_the_manage_link_changes_nothing()
    {
        var confirmation = await BookFirstFreeSlotAsync(new DateOnly(2026, 11, 27));
        var before = await AppointmentAsync(confirmation.AppointmentId);
        using var client = new SignInClient(app.ServerAddress);

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.Http.GetAsync($"/booking/{confirmation.Token}")).StatusCode);
        }

        var after = await AppointmentAsync(confirmation.AppointmentId);
        Assert.Equal(AppointmentStatus.Booked, after.Status);
        Assert.Equal(before.Version, after.Version);
    }

    [Fact]
    public async Task Wrong_expired_and_already_cancelled_links_render_the_same_page()
    {
        var cancelledBooking = await BookFirstFreeSlotAsync(new DateOnly(2026, 11, 30));
        await using (var scope = app.AnonymousScope())
        {
            Assert.True((await scope.ServiceProvider.GetRequiredService<OnlineBookingService>().CancelAsync(cancelledBooking.Token, null)).Succeeded);
        }

        var expiredBooking = await BookFirstFreeSlotAsync(new DateOnly(2026, 11, 24));
        app.Clock!.SetUtcNow(Now.AddDays(2));
        using var client = new SignInClient(app.ServerAddress);

        var wrong = WithoutPerRequestState(await client.Http.GetStringAsync($"/booking/{BookingToken.Create().Token}"));
        var garbage = WithoutPerRequestState(await client.Http.GetStringAsync("/booking/not-a-token"));
        var expired = WithoutPerRequestState(await client.Http.GetStringAsync($"/booking/{expiredBooking.Token}"));
        var cancelled = WithoutPerRequestState(await client.Http.GetStringAsync($"/booking/{cancelledBooking.Token}"));

        Assert.Contains("This link is not valid", wrong, StringComparison.Ordinal);
        Assert.Equal(wrong, garbage);
        Assert.Equal(wrong, expired);
        Assert.Equal(wrong, cancelled);
    }

    [Fact]
    public async Task Neither_the_token_nor_its_bytes_are_anywhere_in_the_database_file()
    {
        var confirmation = await BookFirstFreeSlotAsync(new DateOnly(2026, 12, 1));
        var tokenBytes = System.Buffers.Text.Base64Url.DecodeFromChars(confirmation.Token);
        await using (var db = await app.CreateDbContextAsync())
        {
            Assert.NotNull((await db.Set<Appointment>().SingleAsync(a => a.Id == confirmation.AppointmentId)).ManageTokenHash);
        }

        foreach (var file in new[] { app.DatabasePath, app.DatabasePath + "-wal" }.Where(File.Exists))
        {
            var bytes = await ReadSharedAsync(file);
            Assert.Equal(-1, bytes.AsSpan().IndexOf(Encoding.ASCII.GetBytes(confirmation.Token)));
            Assert.Equal(-1, bytes.AsSpan().IndexOf(Encoding.Unicode.GetBytes(confirmation.Token)));
            Assert.Equal(-1, bytes.AsSpan().IndexOf(tokenBytes));
        }
    }

    [Fact]
    public async Task Cancelling_23_hours_before_with_a_24_hour_cut_off_is_refused_with_the_clinics_phone()
    {
        var confirmation = await BookFirstFreeSlotAsync(new DateOnly(2026, 11, 26));
        var start = (await AppointmentAsync(confirmation.AppointmentId)).StartUtc;
        app.Clock!.SetUtcNow(new DateTimeOffset(start.AddHours(-23)));

        await using var scope = app.AnonymousScope();
        var result = await scope.ServiceProvider.GetRequiredService<OnlineBookingService>().CancelAsync(confirmation.Token, CancellationReason.Work);

        Assert.False(result.Succeeded);
        Assert.Contains("(02) 9000 1234", result.Error, StringComparison.Ordinal);
        Assert.Equal(AppointmentStatus.Booked, (await AppointmentAsync(confirmation.AppointmentId)).Status);
        using var client = new SignInClient(app.ServerAddress);
        var page = await client.Http.GetStringAsync($"/booking/{confirmation.Token}");
        Assert.Contains("can no longer be cancelled online", page, StringComparison.Ordinal);
        Assert.DoesNotContain(">Cancel appointment<", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_bookings_of_the_same_slot_released_together_book_exactly_one_each_round()
    {
        await using var scope = app.AnonymousScope();
        var bookings = scope.ServiceProvider.GetRequiredService<OnlineBookingService>();
        var choices = await bookings.GetChoicesAsync();
        var type = choices.Types.First(t => t.DurationMinutes == 30).Id;
        var day = new DateOnly(2026, 12, 2);

        for (var round = 0; round < 100; round++)
        {
            var free = await bookings.GetSlotsAsync(null, type, day);
            var slot = free.Count > 0 ? free[0] : null;
            if (slot is null)
            {
                day = day.AddDays(1);
                round--;
                continue;
            }

            using var barrier = new Barrier(2);
            var attempts = Enumerable.Range(0, 2).Select(i => Task.Run(async () =>
            {
                await using var own = app.AnonymousScope();
                var service = own.ServiceProvider.GetRequiredService<OnlineBookingService>();
                barrier.SignalAndWait();
                return await service.BookAsync(slot.Key, type, Patient($"Racer{round}x{i}"), "http://clinic.test/booking/");
            })).ToArray();
            var results = await Task.WhenAll(attempts);

            Assert.Equal(1, results.Count(r => r.Succeeded));
            Assert.Equal(OnlineBookingService.SlotJustTaken, results.Single(r => !r.Succeeded).Error);
        }
    }

    [Fact]
    public async Task Booking_page_offers_free_times_and_books_through_the_form()
    {
        using var client = new SignInClient(app.ServerAddress);
        await using var scope = app.AnonymousScope();
        var choices = await scope.ServiceProvider.GetRequiredService<OnlineBookingService>().GetChoicesAsync();
        var type = choices.Types[0].Id;

        var page = await client.Http.GetStringAsync($"/book?type={type}&date=2026-11-26");
        var slotKey = System.Text.RegularExpressions.Regex.Match(page, "name=\"Form.Slot\" value=\"([0-9:]+)\"").Groups[1].Value;
        Assert.NotEmpty(slotKey);

        var response = await client.Http.PostAsync($"/book?type={type}&date=2026-11-26", Form(page, "book",
            ("Form.TypeId", type.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("Form.Slot", slotKey),
            ("Form.FirstName", "Nina"), ("Form.LastName", "Kowalski"), ("Form.Email", "nina@patients.example"), ("Form.Mobile", "0412 345 678")));
        var confirmation = await response.Content.ReadAsStringAsync();

        Assert.Contains("You're booked", WebUtility.HtmlDecode(confirmation), StringComparison.Ordinal);
        Assert.Matches("/booking/[A-Za-z0-9_-]{22}", confirmation);
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task Booking_form_refuses_a_bad_mobile_at_the_field_and_books_nothing()
    {
        await using var scope = app.AnonymousScope();
        var bookings = scope.ServiceProvider.GetRequiredService<OnlineBookingService>();
        var type = (await bookings.GetChoicesAsync()).Types[0].Id;
        var slot = (await bookings.GetSlotsAsync(null, type, new DateOnly(2026, 11, 26)))[0];
        var before = await CountAppointmentsAsync();
        var details = Patient("Nomobile");
        details.Mobile = "12";

        var result = await bookings.BookAsync(slot.Key, type, details, "http://clinic.test/booking/");

        Assert.False(result.Succeeded);
        Assert.Equal(nameof(PatientDetailsInput.Mobile), result.Field);
        Assert.Equal(before, await CountAppointmentsAsync());
    }

    [Fact]
    public async Task An_online_booking_comes_through_the_one_way_in_and_publishes_one_calendar_update()
    {
        var changes = new List<CalendarChange>();
        using var subscription = app.Services.GetRequiredService<CalendarNotifier>().Subscribe(change =>
        {
            lock (changes)
            {
                changes.Add(change);
            }

            return Task.CompletedTask;
        });

        var confirmation = await BookFirstFreeSlotAsync(new DateOnly(2026, 11, 26));

        var appointment = await AppointmentAsync(confirmation.AppointmentId);
        Assert.True(appointment.BookedOnline);
        Assert.Null(appointment.BookedByUserId);
        Assert.Equal(Now.UtcDateTime, appointment.BookedAtUtc);
        Assert.NotNull(appointment.ManageTokenHash);
        lock (changes)
        {
            var change = Assert.Single(changes);
            Assert.Equal((CalendarChangeKind.Booked, appointment.Id, appointment.PractitionerId, appointment.StartUtc), (change.Kind, change.AppointmentId, change.PractitionerId, change.StartUtc));
        }
    }

    [Fact]
    public async Task A_time_staff_booked_meanwhile_is_refused_online_and_nothing_of_the_online_booking_is_written()
    {
        await using var scope = app.AnonymousScope();
        var bookings = scope.ServiceProvider.GetRequiredService<OnlineBookingService>();
        var (type, slot) = await FirstSlotAsync(bookings, new DateOnly(2026, 11, 27));
        await using (var staff = await app.ScopeForAsync(DemoSignIns.Receptionist.Email))
        {
            var booked = await staff.ServiceProvider.GetRequiredService<AppointmentService>().BookAsync(new BookAppointment(1, slot.PractitionerId, type, slot.StartUtc));
            Assert.True(booked.Succeeded, booked.Error);
        }

        var (appointments, patients, outbox) = await CountsAsync();
        var online = await bookings.BookAsync(slot.Key, type, Patient("Latecomer"), "http://clinic.test/booking/");

        Assert.False(online.Succeeded);
        Assert.Equal((OnlineBookingService.SlotJustTaken, "Slot"), (online.Error, online.Field));
        Assert.Equal((appointments, patients, outbox), await CountsAsync());
    }

    [Fact]
    public async Task A_booking_online_of_a_practitioner_not_offered_online_is_refused_even_with_a_made_up_slot()
    {
        await using var scope = app.AnonymousScope();
        var bookings = scope.ServiceProvider.GetRequiredService<OnlineBookingService>();
        var (type, slot) = await FirstSlotAsync(bookings, new DateOnly(2026, 11, 27));
        await using (var db = await app.CreateDbContextAsync())
        {
            await db.Set<ClinicBlazor.Features.Staff.Practitioner>().Where(p => p.Id == slot.PractitionerId).ExecuteUpdateAsync(p => p.SetProperty(x => x.OfferedOnline, false));
        }

        var before = await CountsAsync();
        var online = await bookings.BookAsync(slot.Key, type, Patient("Sneaky"), "http://clinic.test/booking/");

        Assert.Equal(OnlineBookingService.SlotJustTaken, online.Error);
        Assert.Equal(before, await CountsAsync());
    }

    private static async Task<(int Type, OfferedSlot Slot)> FirstSlotAsync(OnlineBookingService bookings, DateOnly day)
    {
        var type = (await bookings.GetChoicesAsync()).Types[0].Id;
        return (type, (await bookings.GetSlotsAsync(null, type, day))[0]);
    }

    private async Task<(int Appointments, int Patients, int Outbox)> CountsAsync()
    {
        await using var db = await app.CreateDbContextAsync();
        return (await db.Set<Appointment>().CountAsync(), await db.Set<ClinicBlazor.Features.Patients.Patient>().CountAsync(),
            await db.Set<ClinicBlazor.Features.Notifications.OutboxMessage>().CountAsync());
    }

    private async Task<BookingConfirmation> BookFirstFreeSlotAsync(DateOnly day)
    {
        await using var scope = app.AnonymousScope();
        var bookings = scope.ServiceProvider.GetRequiredService<OnlineBookingService>();
        var type = (await bookings.GetChoicesAsync()).Types[0].Id;
        var slot = (await bookings.GetSlotsAsync(null, type, day))[0];
        var result = await bookings.BookAsync(slot.Key, type, Patient("Online"), "http://clinic.test/booking/");
        Assert.True(result.Succeeded, result.Error);
        return result.Value!;
    }

    private static PatientDetailsInput Patient(string firstName) => new()
    {
        FirstName = firstName,
        LastName = "Patient",
        Email = $"{firstName.ToLowerInvariant()}@patients.example",
        Mobile = "0412 345 678",
    };

    private async Task<Appointment> AppointmentAsync(int id)
    {
        await using var db = await app.CreateDbContextAsync();
        return await db.Set<Appointment>().AsNoTracking().SingleAsync(a => a.Id == id);
    }

    private async Task<int> CountAppointmentsAsync()
    {
        await using var db = await app.CreateDbContextAsync();
        return await db.Set<Appointment>().CountAsync();
    }

    private static FormUrlEncodedContent Form(string page, string handler, params (string Name, string Value)[] fields)
    {
        var values = new Dictionary<string, string>
        {
            ["_handler"] = handler,
            ["__RequestVerificationToken"] = SignInClient.AntiforgeryToken(page),
        };
        foreach (var (name, value) in fields)
        {
            values[name] = value;
        }

        return new FormUrlEncodedContent(values);
    }

    // Blazor appends freshly encrypted component state to every response, and the import map carries
    // the response's own CSP nonce and request reference; the page itself is what must match.
    private static string WithoutPerRequestState(string html) =>
        System.Text.RegularExpressions.Regex.Replace(html, "<!--Blazor-Server-Component-State:[^>]*-->| nonce=\"[^\"]*\"|<code>[^<]*</code>", "");

    private static async Task<byte[]> ReadSharedAsync(string path)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var memory = new MemoryStream();
        await stream.CopyToAsync(memory);
        return memory.ToArray();
    }
}
