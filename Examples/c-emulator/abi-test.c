/*
 * abi-test: every entry point of tapring.h refuses a NULL or stale handle
 * and bad arguments with a status and a message, and never crashes.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <tapring.h>

static int failures;

static void expect(int status, int wanted, const char *what) {
    const char *message = tapring_last_error();
    if (status != wanted || (wanted != TAPRING_OK && !message[0])) {
        printf("FAIL %s: status %d (wanted %d), message \"%s\"\n", what, status, wanted, message);
        failures++;
    }
}

static void refuse_handle(tapring_engine *engine, int wanted) {
    size_t count;
    uint64_t value64;
    uint32_t value32;
    uint8_t mac[6];
    tapring_port_statistics statistics;
    char memory[64];
    tapring_region region = {0, sizeof memory, memory};
    expect(tapring_engine_nic_count(engine, &count), wanted, "nic_count");
    expect(tapring_nic_set_guest_memory(engine, 0, &region, 1), wanted, "set_guest_memory");
    expect(tapring_nic_set_interrupt_eventfd(engine, 0, 0), wanted, "set_interrupt_eventfd");
    expect(tapring_nic_set_interrupt_intx(engine, 0, 0, 0), wanted, "set_interrupt_intx");
    expect(tapring_engine_start(engine), wanted, "start");
    expect(tapring_engine_stop(engine), wanted, "stop");
    expect(tapring_nic_mmio_read(engine, 0, 8, 4, &value64), wanted, "mmio_read");
    expect(tapring_nic_mmio_write(engine, 0, 8, 4, 0), wanted, "mmio_write");
    expect(tapring_nic_io_read(engine, 0, 0, 4, &value32), wanted, "io_read");
    expect(tapring_nic_io_write(engine, 0, 0, 4, 0), wanted, "io_write");
    expect(tapring_nic_config_read(engine, 0, 0, 4, &value32), wanted, "config_read");
    expect(tapring_nic_config_write(engine, 0, 4, 2, 6), wanted, "config_write");
    expect(tapring_nic_mac_address(engine, 0, mac), wanted, "mac_address");
    expect(tapring_engine_port_count(engine, &count), wanted, "port_count");
    expect(tapring_engine_port_statistics(engine, 0, &statistics), wanted, "port_statistics");
    expect(tapring_engine_destroy(engine), wanted, "destroy");
}

int main(void) {
    refuse_handle(NULL, TAPRING_ERR_HANDLE);
    refuse_handle((tapring_engine *)(uintptr_t)0x1234567, TAPRING_ERR_HANDLE);

    tapring_engine *engine = NULL;
    expect(tapring_engine_create(NULL, 1, &engine), TAPRING_ERR_ARGUMENT, "create with NULL options");
    const char *bad[] = {"-netdev", "tap,id=a,foo=1"};
    expect(tapring_engine_create(bad, 2, &engine), TAPRING_ERR_OPTIONS, "create with bad options");
    if (!strstr(tapring_last_error(), "Invalid parameter 'foo'")) {
        printf("FAIL: the message names the key: \"%s\"\n", tapring_last_error());
        failures++;
    }
    const char *options[] = {"-netdev", "hubport,id=h,hubid=0", "-device", "e1000,netdev=h,mac=52:54:00:12:34:99"};
    expect(tapring_engine_create(options, 4, &engine), TAPRING_OK, "create");
    size_t count = 0;
    expect(tapring_engine_nic_count(engine, &count), TAPRING_OK, "nic_count");
    uint8_t mac[6];
    expect(tapring_nic_mac_address(engine, 0, mac), TAPRING_OK, "mac_address");
    if (count != 1 || mac[5] != 0x99) {
        printf("FAIL: %zu NICs, MAC ending %02x\n", count, mac[5]);
        failures++;
    }
    expect(tapring_engine_nic_count(engine, NULL), TAPRING_ERR_ARGUMENT, "nic_count into NULL");
    expect(tapring_nic_mac_address(engine, 7, mac), TAPRING_ERR_ARGUMENT, "mac_address of NIC 7");
    expect(tapring_engine_start(engine), TAPRING_ERR_STATE, "start without guest memory");
    uint64_t value;
    expect(tapring_nic_mmio_read(engine, 0, 8, 4, &value), TAPRING_ERR_STATE, "mmio_read before start");
    static char ram[1 << 16];
    tapring_region overlapping[] = {{0, 4096, ram}, {2048, 4096, ram + 4096}};
    expect(tapring_nic_set_guest_memory(engine, 0, overlapping, 2), TAPRING_ERR_ARGUMENT, "overlapping regions");
    tapring_region region = {0, sizeof ram, ram};
    expect(tapring_nic_set_guest_memory(engine, 0, &region, 1), TAPRING_OK, "set_guest_memory");
    expect(tapring_nic_set_interrupt_eventfd(engine, 0, -1), TAPRING_ERR_ARGUMENT, "interrupt eventfd -1");
    expect(tapring_nic_set_interrupt_callback(engine, 0, NULL, NULL), TAPRING_ERR_ARGUMENT, "NULL callback");
    expect(tapring_engine_start(engine), TAPRING_ERR_STATE, "start without an interrupt line");
    int interrupt = eventfd(0, EFD_CLOEXEC);
    expect(tapring_nic_set_interrupt_eventfd(engine, 0, interrupt), TAPRING_OK, "set_interrupt_eventfd");
    expect(tapring_engine_start(engine), TAPRING_OK, "start");
    expect(tapring_engine_start(engine), TAPRING_ERR_STATE, "start twice");
    expect(tapring_nic_mmio_read(engine, 0, 8, 4, &value), TAPRING_OK, "mmio_read STATUS");
    if (value != 0x80080783) {
        printf("FAIL: STATUS reads %#llx\n", (unsigned long long)value);
        failures++;
    }
    expect(tapring_nic_mmio_read(engine, 0, 8, 3, &value), TAPRING_ERR_ARGUMENT, "mmio_read of width 3");
    expect(tapring_nic_mmio_read(engine, 0, 1 << 20, 4, &value), TAPRING_ERR_ARGUMENT, "mmio_read past BAR0");
    expect(tapring_nic_mmio_read(engine, 0, 8, 4, NULL), TAPRING_ERR_ARGUMENT, "mmio_read into NULL");
    expect(tapring_nic_io_read(engine, 0, 0, 4, NULL), TAPRING_ERR_ARGUMENT, "io_read into NULL");
    expect(tapring_nic_io_write(engine, 0, 64, 4, 0), TAPRING_ERR_ARGUMENT, "io_write past BAR1");
    expect(tapring_nic_set_interrupt_intx(engine, 0, interrupt, interrupt), TAPRING_ERR_STATE, "intx after start");
    uint32_t word;
    expect(tapring_nic_config_read(engine, 0, 254, 4, &word), TAPRING_ERR_ARGUMENT, "config_read past 256");
    expect(tapring_nic_config_read(engine, 0, 0, 4, &word), TAPRING_OK, "config_read");
    if (word != 0x100e8086) {
        printf("FAIL: vendor/device %#x\n", word);
        failures++;
    }
    tapring_port_statistics statistics;
    expect(tapring_engine_port_statistics(engine, 5, &statistics), TAPRING_ERR_ARGUMENT, "statistics of port 5");
    expect(tapring_engine_destroy(engine), TAPRING_OK, "destroy");
    refuse_handle(engine, TAPRING_ERR_HANDLE);  // stale now
    close(interrupt);

    if (failures) return 1;
    printf("abi-test: every entry point refused NULL and stale handles and bad arguments\n");
    return 0;
}
